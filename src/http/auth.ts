// API keys: `crk_<id>_<secret>`, stored as a SHA-256 hash. A quote key quotes; a charge key
// also charges and reads the accounts it is bound to; an admin key does everything.
import { createHash, randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { ApiKeyRecord, KeyScope } from '../ledger/records.ts';
import type { KeyStore } from '../ledger/store/store.ts';
import { BEARER_CHALLENGE, HttpProblem } from './problem.ts';

export interface Caller {
  key: ApiKeyRecord;
}

declare module 'express-serve-static-core' {
  interface Request {
    caller?: Caller;
  }
}

export function hashSecret(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newApiKey(scope: KeyScope, accounts: string[], label: string | null, now: number): { token: string; record: ApiKeyRecord } {
  const id = `key_${randomBytes(8).toString('hex')}`;
  const token = `crk_${id.slice(4)}_${randomBytes(24).toString('base64url')}`;
  return { token, record: { id, secretHash: hashSecret(token), scope, accounts, label, createdAt: now, revokedAt: null } };
}

/**
 * Verified keys, remembered for a few seconds by the token presented, so a busy client
 * costs neither a store read nor a hash per request. Unknown keys are never remembered
 * (a new key works at once, and random tokens can't fill memory); a revocation on this
 * server forgets the key at once, one on another server sharing the database takes
 * effect here within `ttlMs`. Tokens are held only as long as they are remembered; the
 * store keeps hashes only.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, { key: ApiKeyRecord; until: number }>();
  static readonly MAX_ENTRIES = 10_000;

  constructor(private readonly keys: KeyStore, private readonly ttlMs: number) {}

  /** The key for this token if it was verified lately; no store read. */
  recent(token: string): ApiKeyRecord | undefined {
    const hit = this.entries.get(token);
    return hit && hit.until > Date.now() ? hit.key : undefined;
  }

  async byToken(token: string): Promise<ApiKeyRecord | undefined> {
    const now = Date.now();
    const hit = this.entries.get(token);
    if (hit && hit.until > now) return hit.key;
    const key = await this.keys.apiKeyByHash(hashSecret(token));
    if (!key || key.revokedAt !== null || this.ttlMs <= 0) {
      this.entries.delete(token);
      return key;
    }
    if (this.entries.size >= ApiKeyCache.MAX_ENTRIES) this.entries.clear();
    this.entries.set(token, { key, until: now + this.ttlMs });
    return key;
  }

  forget(id: string): void {
    for (const [token, e] of this.entries) if (e.key.id === id) this.entries.delete(token);
  }
}

/** The token of an `Authorization: Bearer <token>` header; the scheme is case-insensitive (RFC 9110 §11.1). */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const space = header.indexOf(' ');
  if (space !== 6 || header.slice(0, 6).toLowerCase() !== 'bearer') return undefined;
  return header.slice(7).trim() || undefined;
}

const INVALID_TOKEN = `${BEARER_CHALLENGE}, error="invalid_token", error_description="unknown or revoked API key"`;

export function authenticate(keys: ApiKeyCache) {
  const admit = (req: Request, next: NextFunction, key: ApiKeyRecord | undefined): void => {
    if (!key || key.revokedAt !== null) return next(new HttpProblem(401, 'unauthorized', 'unknown or revoked API key', {}, { 'WWW-Authenticate': INVALID_TOKEN }));
    req.caller = { key };
    next();
  };
  // Not async: a key verified lately is admitted without a trip through the event loop.
  return (req: Request, _res: Response, next: NextFunction): void => {
    const token = bearerToken(req.headers.authorization);
    // No credentials: the bare challenge (RFC 6750 §3.1: no error code).
    if (!token) return next(new HttpProblem(401, 'unauthorized', 'send an API key as `Authorization: Bearer crk_…`', {}, { 'WWW-Authenticate': BEARER_CHALLENGE }));
    const recent = keys.recent(token);
    if (recent) return admit(req, next, recent);
    keys.byToken(token).then((key) => admit(req, next, key), next);
  };
}

const RANK: Record<KeyScope, number> = { quote: 0, charge: 1, admin: 2 };

export function requireScope(req: Request, scope: KeyScope): ApiKeyRecord {
  const key = req.caller!.key;
  if (RANK[key.scope] < RANK[scope]) throw new HttpProblem(403, 'forbidden', `this needs a key with the ${scope} scope; yours has ${key.scope}`);
  return key;
}

/** The key may act on this account: an admin key, or a key bound to it. */
export function mayActOn(key: ApiKeyRecord, account: string): boolean {
  return key.scope === 'admin' || key.accounts.includes(account);
}

/** The caller may act on this account: an admin key, or a key bound to it. */
export function requireAccount(req: Request, account: string, scope: KeyScope): void {
  const key = requireScope(req, scope);
  if (!mayActOn(key, account)) throw new HttpProblem(403, 'forbidden_account', `this key may not act on account '${account}'`);
}
