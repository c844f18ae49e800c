import { Router } from 'express';
import type { PackInfo } from '../../engine/index.ts';
import { versionInForce } from '../../rules/version-in-force.ts';
import type { AppContext } from '../context.ts';
import { plainPathParam } from '../validate.ts';
import { illustrativeByOperation } from '../illustrative.ts';

export function packRoutes({ ledger, engine }: AppContext): Router {
  const r = Router();
  r.param('pack', plainPathParam);
  r.param('operation', plainPathParam);
  const packJson = (p: PackInfo) => {
    const policy = ledger.engine.ledgerPolicy(p.name);
    return {
      name: p.name, ...(p.title ? { title: p.title } : {}), unit: p.unit, decimals: p.decimals,
      versions: p.versions, operations: p.operations,
      chargeable: policy ? [...policy.charges.keys()] : [],
      grant_kinds: policy ? [...policy.grantKinds.keys()] : [],
      plans: policy?.plans?.names ?? [],
      illustrative: illustrativeByOperation(ledger.engine, p),
    };
  };
  r.get('/v1/packs', (_req, res) => {
    res.json({ packs: ledger.engine.packs().map(packJson) });
  });
  // One pack, with each version's place in time: the live one (in force now) answers quotes
  // and charges; a scheduled one takes over at its effective time, with no restart.
  r.get('/v1/packs/:pack', (req, res) => {
    const p = engine.pack(req.params.pack);
    const now = ledger.now();
    const live = p.versions.some((v) => Date.parse(v.effective) <= now) ? versionInForce(p.name, p.versions, (v) => new Date(v.effective), new Date(now)) : undefined;
    const versions = p.versions.map((v) => ({
      ...v, status: v === live ? 'live' : Date.parse(v.effective) > now ? 'scheduled' : 'past',
    }));
    res.json({ ...packJson(p), versions, live: live?.version ?? null });
  });
  r.get('/v1/packs/:pack/operations/:operation/schema', (req, res) => {
    res.json(engine.inputSchema(req.params.pack, req.params.operation));
  });
  return r;
}
