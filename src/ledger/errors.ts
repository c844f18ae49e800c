// Everything a ledger caller can get wrong or run into, with a stable code the HTTP layer
// maps to a status and a problem+json type. Rule problems stay RuleErrors.

export type LedgerErrorCode =
  | 'insufficient_credits'
  | 'idempotency_conflict'
  | 'hold_already_resolved'
  | 'hold_expired'
  | 'account_not_found'
  | 'account_exists'
  | 'charge_not_found'
  | 'statement_not_found'
  | 'not_chargeable'
  | 'quote_rejected'
  | 'quote_invalid'
  | 'quote_expired'
  | 'quote_changed'
  | 'invalid_amount'
  | 'invalid_usage'
  | 'refund_exceeds_capture'
  | 'nothing_to_refund'
  | 'not_captured'
  | 'held_credits_expired'
  | 'unknown_grant_kind'
  | 'already_claimed'
  | 'not_supported'
  | 'unknown_pack'
  | 'webhook_not_found'
  | 'invalid_request';

export class LedgerError extends Error {
  override readonly name = 'LedgerError';
  constructor(
    readonly code: LedgerErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}
