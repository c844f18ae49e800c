// Every operation of every pack under rules/, exported to JSON Logic and run by json-logic-js
// over the operation's regression cases: it must agree with the engine on every exported
// output and constraint, and name whatever it leaves out.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadWorkspace } from '../../src/check/check-paths.ts';
import type { CheckedPack, CheckedVersion } from '../../src/check/model.ts';
import { exportJsonLogic, type JsonLogicExport } from '../../src/compile/jsonlogic.ts';
import { Engine } from '../../src/engine/engine.ts';
import { testFiles } from '../../src/engine/regression.ts';
import { engineAnswer, preview, withOperations, type Answer } from './preview.ts';

interface Case {
  name: string;
  operation: string;
  at?: string;
  input?: Record<string, unknown>;
  compare?: { left: Record<string, unknown>; right: Record<string, unknown> };
}

const workspace = loadWorkspace(['rules']);

function casesOf(pack: CheckedPack): Case[] {
  return testFiles(pack.decl.dir).flatMap((f) => (parse(readFileSync(f, 'utf8')) as { cases: Case[] }).cases);
}

function versionAt(pack: CheckedPack, at: Date): CheckedVersion {
  return pack.versions.filter((v) => v.decl.effective <= at).sort((a, b) => +a.decl.effective - +b.decl.effective).at(-1)!;
}

/** The inputs a case quotes: one, or both sides of a comparison. */
function inputsOf(c: Case): Record<string, unknown>[] {
  const base = c.input ?? {};
  return c.compare ? [{ ...base, ...c.compare.left }, { ...base, ...c.compare.right }] : [base];
}

const notExported = (exp: JsonLogicExport, key: 'output' | 'constraint'): string[] =>
  exp.not_exported.flatMap((n) => (key in n ? [(n as Record<string, string>)[key]!] : []));

/** What the preview may say given what the engine said, with only the exported parts compared. */
function expectAgreement(exp: JsonLogicExport, engine: Answer, client: Answer): void {
  switch (engine.kind) {
    case 'invalid':
      expect(client).toEqual({ kind: 'invalid' });
      return;
    case 'error':
      if (exp.not_exported.length === 0) expect(client.kind).toBe('error');
      else expect(['error', 'accepted', 'rejected']).toContain(client.kind);
      return;
    case 'rejected':
      if (exp.not_exported.length === 0) return void expect(client).toEqual(engine);
      // A constraint or an operation call left out can reject too.
      if (client.kind === 'rejected') expect(engine.messages).toEqual(expect.arrayContaining(client.messages));
      else expect(client.kind).toBe('accepted');
      return;
    case 'accepted': {
      expect(client.kind).toBe('accepted');
      if (client.kind !== 'accepted') return;
      const exported = Object.fromEntries(Object.keys(exp.outputs).map((n) => [n, engine.outputs[n]]));
      expect(client.outputs).toEqual(exported);
    }
  }
}

for (const pack of workspace.packs) {
  const engine = Engine.load(pack.decl.dir);
  const cases = casesOf(pack);
  describe(`pack ${pack.decl.name}`, () => {
    for (const version of pack.versions) {
      for (const [name, op] of version.operations) {
        const opCases = cases.filter((c) => c.operation === name && versionAt(pack, c.at ? new Date(c.at) : new Date()) === version);
        it(`${name}: the JSON Logic export agrees with the engine on its ${opCases.length} regression cases`, () => {
          const exp = exportJsonLogic(op, { pack: pack.decl.name, version: version.decl.version, unit: pack.decl.unit });
          const named = [...Object.keys(exp.outputs), ...notExported(exp, 'output')].sort();
          expect(named).toEqual([...op.outputs].sort());
          expect(exp.constraints.length + notExported(exp, 'constraint').length).toBe(op.constraints.length);
          withOperations(exp, () => {
            for (const c of opCases) {
              for (const input of inputsOf(c)) {
                const at = c.at ? new Date(c.at) : undefined;
                const want = engineAnswer(engine, pack.decl.name, name, input, at);
                const got = preview(exp, input);
                expect.soft(got.kind, `${c.name}: ${JSON.stringify(input)} is within the export's limits`).not.toBe('outside-exact-range');
                try {
                  expectAgreement(exp, want, got);
                } catch (e) {
                  throw new Error(`case "${c.name}" with ${JSON.stringify(input)}: engine ${JSON.stringify(want)}, JSON Logic ${JSON.stringify(got)}\n${(e as Error).message}`);
                }
              }
            }
          });
        });
      }
    }
  });
}

it('finds the packs under rules/', () => {
  expect(workspace.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(workspace.packs.length).toBeGreaterThan(0);
});
