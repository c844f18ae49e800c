// Paged lists over the ledger: accounts, charges across accounts, and an account's grants
// (spent and expired ones too). Cursor pagination, newest charges first.
import { decodeCursor, encodeCursor, pageOf, type Page } from './cursor.ts';
import { LedgerError } from './errors.ts';
import type { ChargeStatus, GrantRecord } from './records.ts';
import type { ChargeFilter } from './store/integration.ts';
import type { Store } from './store/store.ts';
import { chargeView, grantView, type AccountView, type ChargeView, type GrantView } from './views.ts';

/** active: spendable now; pending: effective later; spent: nothing left; expired: its expiry passed (what was left lapsed). */
export type GrantState = 'active' | 'pending' | 'spent' | 'expired';

export interface GrantListItem extends GrantView {
  state: GrantState;
}

export interface ListDeps {
  clock: () => number;
  decimals: (pack: string) => number;
  packExists: (pack: string) => boolean;
  /** The account brought up to date, as GET /v1/accounts/{id} shows it. */
  account: (id: string) => Promise<AccountView>;
}

export interface ChargeQuery {
  /** Only these accounts (undefined: all). */
  accounts?: string[];
  status?: ChargeStatus;
  /** ISO times: created at or after `from`, before `to`. */
  from?: string;
  to?: string;
  cursor?: string;
  limit: number;
}

function grantState(g: GrantRecord, now: number): GrantState {
  if (g.expiresAt !== null && g.expiresAt <= now) return 'expired';
  if (g.remaining === 0n) return 'spent';
  return g.effectiveAt > now ? 'pending' : 'active';
}

function time(text: string | undefined, field: string): number | undefined {
  if (text === undefined) return undefined;
  const t = Date.parse(text);
  if (Number.isNaN(t)) {
    const message = `${field} must be an ISO 8601 date-time such as "2026-03-10T12:00:00Z"`;
    throw new LedgerError('invalid_request', message, { errors: [{ path: field, keyword: 'format', message }] });
  }
  return t;
}

export class Lists {
  constructor(private readonly store: Store, private readonly deps: ListDeps) {}

  /** Accounts in id order, of a pack and among `ids` when given. */
  async accounts(q: { pack?: string; ids?: string[]; cursor?: string; limit: number }): Promise<Page<'accounts', AccountView>> {
    if (q.pack !== undefined && !this.deps.packExists(q.pack)) throw new LedgerError('unknown_pack', `no pack '${q.pack}'`);
    const after = q.cursor === undefined ? null : decodeCursor(q.cursor).id;
    const ids = await this.store.read((tx) => tx.integration.accountIds({ pack: q.pack, ids: q.ids }, after, q.limit + 1));
    const page = ids.slice(0, q.limit);
    const accounts = [];
    for (const id of page) accounts.push(await this.deps.account(id));
    const more = ids.length > q.limit;
    return { accounts, has_more: more, next_cursor: more ? encodeCursor({ at: 0, id: page[page.length - 1]! }) : null };
  }

  async charges(q: ChargeQuery): Promise<Page<'charges', ChargeView>> {
    const filter: ChargeFilter = { accounts: q.accounts, status: q.status, from: time(q.from, 'from'), to: time(q.to, 'to') };
    const before = q.cursor === undefined ? null : decodeCursor(q.cursor);
    const rows = await this.store.read((tx) => tx.integration.charges(filter, before, q.limit + 1));
    return pageOf('charges', rows, q.limit, ({ charge, draws }) => chargeView(charge, draws, this.deps.decimals(charge.pack)),
      ({ charge }) => ({ at: charge.createdAt, id: charge.id }));
  }

  async grants(accountId: string, q: { cursor?: string; limit: number }): Promise<Page<'grants', GrantListItem>> {
    const after = q.cursor === undefined ? null : decodeCursor(q.cursor);
    const now = this.deps.clock();
    return this.store.read(async (tx) => {
      const a = await tx.account(accountId);
      if (!a) throw new LedgerError('account_not_found', `no account '${accountId}'`);
      const d = this.deps.decimals(a.pack);
      const rows = await tx.integration.grants(a.id, after, q.limit + 1);
      return pageOf('grants', rows, q.limit, (g) => ({ ...grantView(g, d), state: grantState(g, now) }), (g) => ({ at: g.createdAt, id: g.id }));
    });
  }
}
