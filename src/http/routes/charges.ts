import { Router, type Request } from 'express';
import type { ChargeRequest } from '../../ledger/ledger.ts';
import { LedgerError } from '../../ledger/errors.ts';
import { mayActOn, requireAccount, requireScope } from '../auth.ts';
import type { AppContext } from '../context.ts';
import { sendResult } from '../replayed.ts';
import { body, idempotencyKey, plainPathParam } from '../validate.ts';

type ChargeBody = ChargeRequest extends infer R ? (R extends { capture: boolean } ? Omit<R, 'capture'> & { capture?: boolean } : never) : never;

export function chargeRoutes({ ledger }: AppContext): Router {
  const r = Router();
  r.param('id', plainPathParam);
  /**
   * The charge, once the caller is known to be allowed on its account. Whether a charge id
   * exists is told to no one who may not read it: the scope is checked before the charge is
   * looked up, and another account's charge is as missing as one that isn't there.
   */
  const ownCharge = async (req: Request) => {
    const key = requireScope(req, 'charge');
    const id = req.params.id as string;
    const charge = await ledger.charge(id);
    if (!mayActOn(key, charge.account)) throw new LedgerError('charge_not_found', `no charge '${id}'`);
    return charge;
  };

  r.post('/v1/charges', async (req, res) => {
    const b = body<ChargeBody>(req, 'ChargeRequest');
    requireAccount(req, b.account, 'charge');
    const key = idempotencyKey(req);
    sendResult(res, 201, await ledger.createCharge({ ...b, capture: b.capture ?? true }, key));
  });
  r.get('/v1/charges/:id', async (req, res) => {
    res.json(await ownCharge(req));
  });
  r.post('/v1/charges/:id/capture', async (req, res) => {
    const b = body<{ amount?: string; usage?: Record<string, unknown> }>(req, 'CaptureRequest');
    const key = idempotencyKey(req);
    const { id } = await ownCharge(req);
    sendResult(res, 200, await ledger.captureCharge(id, b, key));
  });
  r.post('/v1/charges/:id/release', async (req, res) => {
    body(req, null);
    const key = idempotencyKey(req);
    const { id } = await ownCharge(req);
    sendResult(res, 200, await ledger.releaseCharge(id, key));
  });
  r.post('/v1/charges/:id/refund', async (req, res) => {
    const b = body<{ outcome?: string; amount?: string }>(req, 'RefundRequest');
    const key = idempotencyKey(req);
    const { id } = await ownCharge(req);
    sendResult(res, 200, await ledger.refundCharge(id, b, key));
  });
  return r;
}
