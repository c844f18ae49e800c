// Record ids: time-ordered, and a charge's id carries its account's affinity (its lane in a
// PostgreSQL group commit), so a change naming only the charge finds the account's lane.
import { describe, expect, it } from 'vitest';
import { affinityOf, affinityOfRecord, newId } from '../../src/ledger/ids.ts';

describe('ids', () => {
  it('are the prefix, 12 hex digits of time and 16 of randomness', () => {
    const ids = Array.from({ length: 600 }, () => newId('ch'));
    for (const id of ids) expect(id).toMatch(/^ch_[0-9a-f]{28}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(Number.parseInt(ids[0]!.slice(3, 15), 16)).toBeLessThanOrEqual(Date.now());
  });

  it("end with the account's affinity when made for an account", () => {
    for (const account of ['a', 'bench-17', 'acct_0123', 'ü-ß']) {
      const id = newId('ch', account);
      expect(id).toMatch(/^ch_[0-9a-f]{28}$/);
      expect(affinityOfRecord(id)).toBe(affinityOf(account));
    }
    // Spread over the 256 values, not a constant.
    expect(new Set(Array.from({ length: 200 }, (_, i) => affinityOf(`acct-${i}`))).size).toBeGreaterThan(100);
  });

  it('gives ids made elsewhere an affinity of their own, the same each time', () => {
    expect(affinityOfRecord('charge-from-a-migration')).toBe(affinityOf('charge-from-a-migration'));
    expect(affinityOfRecord('ch_short')).toBe(affinityOf('ch_short'));
  });
});
