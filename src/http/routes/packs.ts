import { Router } from 'express';
import type { AppContext } from '../context.ts';
import { plainPathParam } from '../validate.ts';

export function packRoutes({ ledger, engine }: AppContext): Router {
  const r = Router();
  r.param('pack', plainPathParam);
  r.param('operation', plainPathParam);
  r.get('/v1/packs', (_req, res) => {
    const packs = ledger.engine.packs().map((p) => {
      const policy = ledger.engine.ledgerPolicy(p.name);
      return {
        name: p.name, ...(p.title ? { title: p.title } : {}), unit: p.unit, decimals: p.decimals,
        versions: p.versions, operations: p.operations,
        chargeable: policy ? [...policy.charges.keys()] : [],
        grant_kinds: policy ? [...policy.grantKinds.keys()] : [],
        plans: policy?.plans?.names ?? [],
      };
    });
    res.json({ packs });
  });
  r.get('/v1/packs/:pack/operations/:operation/schema', (req, res) => {
    res.json(engine.inputSchema(req.params.pack, req.params.operation));
  });
  return r;
}
