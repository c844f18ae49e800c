// POST /v1/packs/{pack}/impact: what the live version's change to an uploaded or a scheduled
// version would do to the charges the ledger recorded, or to the pack's bundled corpus
// (tests/corpus.jsonl) — the report `credits diff --json` prints, in the same shape
// (src/impact/report-json.ts). Nothing is written.
import { Router } from 'express';
import { join, relative, resolve } from 'node:path';
import { positionOf, RuleError } from '../../../grammar/diagnostic.ts';
import { compareImpact } from '../../impact/compare.ts';
import { pinned, sideOf, versionAt, type PackSide } from '../../impact/pack-side.ts';
import { impactJson } from '../../impact/report-json.ts';
import { readCorpus, type ImpactRequest } from '../../impact/requests.ts';
import { loadUploadedPack, notAnUploadPath, type UploadedFile } from '../../impact/uploaded-pack.ts';
import { requireScope } from '../auth.ts';
import type { AppContext } from '../context.ts';
import { HttpProblem } from '../problem.ts';
import { body, filePathIssues, plainPathParam, refuseIssues } from '../validate.ts';

interface ImpactBody {
  files?: UploadedFile[];
  version?: string;
  requests?: 'ledger' | 'corpus';
  from?: string;
  to?: string;
  examples?: number;
}

/** A RuleError of the upload's own making, as a 422 the client can act on. */
function ruleProblem(e: RuleError): HttpProblem {
  if (e.code === 'unknown-version') return new HttpProblem(422, 'unknown_version', e.message, e.hint ? { hint: e.hint } : {});
  return new HttpProblem(422, 'invalid_request', e.message, { rule_code: e.code, ...(e.hint ? { hint: e.hint } : {}) });
}

function invalidRules(found: RuleError[], folder: string): HttpProblem {
  const diagnostics = found.map((d) => {
    const at = d.source && d.span ? positionOf(d.source, d.span.start) : undefined;
    return {
      file: d.source ? relative(folder, resolve(d.source.file)) : null, line: at?.line ?? null, column: at?.col ?? null,
      severity: d.severity, code: d.code, message: d.message, ...(d.hint ? { hint: d.hint } : {}),
    };
  });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  return new HttpProblem(422, 'invalid_rules', `the uploaded rules have ${errors.length} error(s); the first: ${errors[0] ? `${errors[0].file}:${errors[0].line}: ${errors[0].message}` : '—'}`, { diagnostics });
}

/** The pack's own corpus; its lines are named `corpus.jsonl:<line>` (the server's folders are no business of the client). */
function bundledCorpus(dir: string, pack: string): ImpactRequest[] {
  try {
    return readCorpus(join(dir, 'tests', 'corpus.jsonl'), 'corpus.jsonl');
  } catch (e) {
    if (e instanceof RuleError && e.code === 'unreadable-corpus') {
      throw new HttpProblem(422, 'not_supported', `pack '${pack}' has no corpus (tests/corpus.jsonl) to compare over`, { hint: 'make one with `npm run corpus`, or compare over the ledger\'s charges' });
    }
    throw e;
  }
}

export function impactRoutes({ ledger, history }: AppContext): Router {
  const r = Router();
  r.param('pack', plainPathParam);
  r.post('/v1/packs/:pack/impact', async (req, res) => {
    const b = body<ImpactBody>(req, 'ImpactRequest');
    requireScope(req, 'admin');
    const bad = filePathIssues(b.files ?? [], notAnUploadPath);
    if (b.requests === 'corpus' && (b.from || b.to)) bad.push({ path: b.from ? '/from' : '/to', keyword: 'corpus', message: 'from and to select ledger charges: leave them out with "requests": "corpus"' });
    if (b.from && b.to && Date.parse(b.from) >= Date.parse(b.to)) bad.push({ path: '/to', keyword: 'range', message: `to (${b.to}) must be later than from (${b.from})` });
    refuseIssues(bad);

    const now = new Date(ledger.now());
    const live = sideOf(ledger.engine, req.params.pack, 'live');
    const liveVersion = versionAt(live, now);
    if (liveVersion === undefined) throw new HttpProblem(422, 'not_supported', `pack '${live.info.name}' has no version in force yet`);
    // Neither files nor a version: the next scheduled version.
    const version = b.version ?? (b.files ? undefined : live.info.versions.find((v) => Date.parse(v.effective) > now.getTime())?.version);
    if (!b.files && version === undefined) {
      throw new HttpProblem(422, 'invalid_request', `pack '${live.info.name}' has no scheduled version: give the rule files to compare with (files), or a version`,
        { errors: [{ path: '/', keyword: 'required', message: 'give files or version: the pack has no scheduled version to compare with' }] });
    }
    if (b.requests !== 'corpus' && !history) throw new HttpProblem(422, 'not_supported', 'this server reads no ledger history to compare over: ask for "requests": "corpus"');
    let cleanup = () => {};
    try {
      let after: PackSide;
      try {
        const before = pinned(live, liveVersion);
        if (b.files) {
          const uploaded = loadUploadedPack(live.info.dir, b.files);
          if ('errors' in uploaded) throw invalidRules(uploaded.errors, uploaded.folder);
          cleanup = uploaded.cleanup;
          const side = sideOf(uploaded.engine, live.info.name, 'uploaded');
          after = pinned(side, version ?? side.info.versions[side.info.versions.length - 1]!.version);
        } else {
          after = pinned({ ...live, label: `version ${version}` }, version!);
        }
        const requests = b.requests === 'corpus'
          ? bundledCorpus(live.info.dir, live.info.name)
          : await history!.charges({ pack: live.info.name, from: b.from ? new Date(b.from) : undefined, to: b.to ? new Date(b.to) : undefined });
        const report = compareImpact({ ...before, label: `live (version ${liveVersion})` }, after, requests, { now, examples: b.examples ?? 3 });
        res.json(impactJson(report));
      } catch (e) {
        if (e instanceof RuleError && e.code !== 'unknown-pack') throw ruleProblem(e);
        throw e;
      }
    } finally {
      cleanup();
    }
  });
  return r;
}
