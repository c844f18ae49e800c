// A mutation's answer: a result replayed from its Idempotency-Key says so in a header
// (Idempotent-Replayed: true), so a client can tell a retry that did nothing again.
import type { Response } from 'express';
import { isReplay } from '../ledger/idempotency.ts';

export function sendResult(res: Response, status: 200 | 201, result: object, replay = isReplay(result)): void {
  if (replay) res.set('Idempotent-Replayed', 'true');
  res.status(status).json(result);
}
