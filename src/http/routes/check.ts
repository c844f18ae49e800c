// What the playground reads of a pack's files: its operations with their descriptions, an
// operation's rule file, and `credits check` on edited text (POST /v1/check) with a quote of
// the edited pack. Nothing is written. Files are for admin keys only: a rule file shows every
// price and constraint of a pack.
import { Router } from 'express';
import { relative, resolve } from 'node:path';
import { positionOf, RuleError } from '../../../grammar/diagnostic.ts';
import { checkEditedPack, notAPackFile, quoteCompiled, type EditedFile } from '../../engine/check-edited.ts';
import { operationFile, operationsInForce } from '../../engine/operation-file.ts';
import { checkPackScenarios } from '../../scenarios/check.ts';
import { toJsonData } from '../../value.ts';
import { requireScope } from '../auth.ts';
import type { AppContext } from '../context.ts';
import { body, filePathIssues, plainPathParam, refuseIssues } from '../validate.ts';

interface CheckBody {
  pack: string;
  files: EditedFile[];
  quote?: { operation: string; input: Record<string, unknown>; at?: string };
}

/** A diagnostic for clients: positions 1-based, `file` relative to the pack's folder. */
function diagnosticJson(d: RuleError, dir: string) {
  const file = d.source ? relative(dir, resolve(d.source.file)) : null;
  const start = d.source && d.span ? positionOf(d.source, d.span.start) : undefined;
  const end = d.source && d.span ? positionOf(d.source, Math.max(d.span.start, d.span.end)) : undefined;
  return {
    file, line: start?.line ?? null, column: start?.col ?? null, end_line: end?.line ?? null, end_column: end?.col ?? null,
    severity: d.severity, code: d.code, message: d.message, ...(d.hint ? { hint: d.hint } : {}),
  };
}

export function checkRoutes({ ledger }: AppContext): Router {
  const r = Router();
  r.param('pack', plainPathParam);
  r.param('operation', plainPathParam);
  const packDir = (name: string): string => {
    const info = ledger.engine.packs().find((p) => p.name === name);
    if (!info) throw new RuleError('unknown-pack', `unknown pack '${name}'`, undefined, undefined, `packs: ${ledger.engine.packs().map((p) => p.name).join(', ')}`);
    return info.dir;
  };

  r.get('/v1/packs/:pack/operations', (req, res) => {
    const { pack } = req.params;
    res.json({ pack, ...operationsInForce(packDir(pack), pack, new Date(ledger.now())) });
  });

  r.get('/v1/packs/:pack/operations/:operation/source', (req, res) => {
    requireScope(req, 'admin');
    const { pack, operation } = req.params;
    const file = operationFile(packDir(pack), pack, operation, new Date(ledger.now()));
    res.json({ pack, operation, ...file });
  });

  r.post('/v1/check', (req, res) => {
    const c = body<CheckBody>(req, 'CheckRequest');
    requireScope(req, 'admin');
    const dir = packDir(c.pack);
    const errors = filePathIssues(c.files, (path) => notAPackFile(dir, path));
    const seen = new Set<string>();
    c.files.forEach((f, i) => {
      const abs = resolve(dir, f.path);
      if (seen.has(abs)) errors.push({ path: `/files/${i}/path`, keyword: 'uniqueItems', message: `files[${i}].path: '${f.path}' is given twice` });
      seen.add(abs);
    });
    refuseIssues(errors);

    const checked = checkEditedPack(dir, c.files, { packChecks: [checkPackScenarios] });
    const diagnostics = checked.diagnostics.map((d) => diagnosticJson(d, dir))
      .sort((a, b) => (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    const out: Record<string, unknown> = {
      pack: c.pack,
      errors: diagnostics.filter((d) => d.severity === 'error').length,
      warnings: diagnostics.filter((d) => d.severity === 'warning').length,
      diagnostics,
    };
    if (c.quote) {
      out.quote = null;
      if (checked.compiled) {
        try {
          const q = quoteCompiled(checked.compiled, c.quote.operation, c.quote.input, c.quote.at ? new Date(c.quote.at) : new Date(ledger.now()));
          out.quote = {
            version: q.version, outputs: Object.fromEntries(Object.entries(q.outputs).map(([k, v]) => [k, toJsonData(v)])),
            rejections: q.rejections, trace: (q.trace ?? []).map((t) => ({ ...t, value: toJsonData(t.value) })),
          };
        } catch (e) {
          if (!(e instanceof RuleError)) throw e;
          out.quote_error = { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
        }
      }
    }
    res.json(out);
  });
  return r;
}
