// Record ids, and the affinity that sends an account's changes to one group-commit lane.
import { randomFillSync } from 'node:crypto';

// An id is the time in ms (12 hex digits) then 8 random bytes: ids made together sort
// together, so inserting charges and draws touches the last pages of their indexes instead
// of a random page each (fewer pages written per commit). The random bytes come from a pool
// filled 4 KiB at a time.
const ID_RANDOM_BYTES = 8;
const idPool = Buffer.alloc(4096);
let idOffset = idPool.length;

/**
 * A new id; with `account`, the last of its random bytes is the account's affinity instead,
 * so that a later change naming only this record (a capture names its charge) can be sent
 * where the account's other changes go.
 */
export function newId(prefix: string, account?: string): string {
  if (idOffset === idPool.length) {
    randomFillSync(idPool);
    idOffset = 0;
  }
  const random = account === undefined
    ? idPool.toString('hex', idOffset, idOffset + ID_RANDOM_BYTES)
    : idPool.toString('hex', idOffset, idOffset + ID_RANDOM_BYTES - 1) + affinityOf(account).toString(16).padStart(2, '0');
  idOffset += ID_RANDOM_BYTES;
  return `${prefix}_${Date.now().toString(16).padStart(12, '0')}${random}`;
}

/** 0–255, from the account id (FNV-1a). */
export function affinityOf(account: string): number {
  let h = 2166136261;
  for (let i = 0; i < account.length; i++) h = Math.imul(h ^ account.charCodeAt(i), 16777619);
  return (h >>> 0) & 0xff;
}

const MADE_FOR_ACCOUNT = /^[a-z]+_[0-9a-f]{28}$/;

/** The affinity newId wrote into a record's id; ids from elsewhere get one of their own. */
export function affinityOfRecord(id: string): number {
  return MADE_FOR_ACCOUNT.test(id) ? Number.parseInt(id.slice(-2), 16) : affinityOf(id);
}
