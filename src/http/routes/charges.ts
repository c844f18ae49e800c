import { Router, type Request } from 'express';
import type { ChargeRequest } from '../../ledger/ledger.ts';

type ChargeBody = ChargeRequest extends infer R ? (R extends { capture: boolean } ? Omit<R, 'capture'> & { capture?: boolean } : never) : never;
import { requireAccount } from '../auth.ts';
import type { AppContext } from '../context.ts';
import { body, idempotencyKey } from '../validate.ts';

export function chargeRoutes({ ledger }: AppContext): Router {
  const r = Router();
  /** The charge, once the caller is known to be allowed on its account. */
  const ownCharge = async (req: Request) => {
    const charge = await ledger.charge(req.params.id as string);
    requireAccount(req, charge.account, 'charge');
    return charge;
  };

  r.post('/v1/charges', async (req, res) => {
    const b = body<ChargeBody>(req, 'ChargeRequest');
    requireAccount(req, b.account, 'charge');
    const key = idempotencyKey(req);
    res.status(201).json(await ledger.createCharge({ ...b, capture: b.capture ?? true }, key));
  });
  r.get('/v1/charges/:id', async (req, res) => {
    res.json(await ownCharge(req));
  });
  r.post('/v1/charges/:id/capture', async (req, res) => {
    const b = body<{ amount?: string; usage?: Record<string, unknown> }>(req, 'CaptureRequest');
    const key = idempotencyKey(req);
    const { id } = await ownCharge(req);
    res.json(await ledger.captureCharge(id, b, key));
  });
  r.post('/v1/charges/:id/release', async (req, res) => {
    body(req, null);
    const key = idempotencyKey(req);
    const { id } = await ownCharge(req);
    res.json(await ledger.releaseCharge(id, key));
  });
  r.post('/v1/charges/:id/refund', async (req, res) => {
    const b = body<{ outcome?: string; amount?: string }>(req, 'RefundRequest');
    const key = idempotencyKey(req);
    const { id } = await ownCharge(req);
    res.json(await ledger.refundCharge(id, b, key));
  });
  return r;
}
