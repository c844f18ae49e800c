// An account: balance by grant kind with expiries, the entry log, and the balance over time
// (each entry's balance_change summed exactly, in log order).
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api, type Account, type Entry } from './api.ts';
import { StepChart, type Point } from './charts.ts';
import { addDecimals } from './decimal.ts';
import { useRequest } from './use-request.ts';

async function allEntries(id: string, signal: AbortSignal): Promise<Entry[]> {
  const out: Entry[] = [];
  let after = 0;
  // At most 10 pages of 1000: a playground shows a sample, not an audit.
  for (let page = 0; page < 10; page++) {
    const r = await api<{ entries: Entry[]; next_after: number | null }>('GET', `/v1/accounts/${encodeURIComponent(id)}/entries?after=${after}&limit=1000`, undefined, signal);
    out.push(...r.entries);
    if (r.next_after === null) break;
    after = r.next_after;
  }
  return out;
}

export function balanceOverTime(entries: Entry[]): Point[] {
  let balance = '0';
  return entries.map((e) => {
    balance = addDecimals(balance, e.balance_change);
    return { at: Date.parse(e.at), value: balance };
  });
}

export function AccountPanel() {
  const [draft, setDraft] = useState('');
  const [id, setId] = useState<string | null>(null);
  const req = useRequest(id, async (signal) => {
    const [account, entries] = await Promise.all([
      api<Account>('GET', `/v1/accounts/${encodeURIComponent(id!)}`, undefined, signal),
      allEntries(id!, signal),
    ]);
    return { account, entries };
  }, 0);
  const a = req.data?.account;
  const entries = req.data?.entries ?? [];
  return html`<div class="account">
    <form class="field field-inline" onSubmit=${(e: Event) => { e.preventDefault(); setId(draft.trim() || null); }}>
      <label for="account-id">Account id</label>
      <input id="account-id" data-testid="account-id" value=${draft} onInput=${(e: Event) => setDraft((e.target as HTMLInputElement).value)} autocomplete="off" />
      <button type="submit">Show</button>
    </form>
    ${req.error ? html`<p class="error" role="alert">${req.error.message}</p>` : null}
    ${a ? html`<div data-testid="account" class="account-body">
      <p>Account <strong>${a.id}</strong> of pack ${a.pack}${a.plan ? `, plan ${a.plan}` : ''}: balance <strong>${a.balance}</strong> ${a.unit}, available ${a.available}.</p>
      <div class="table-scroll"><table>
        <caption>Balance by grant kind</caption>
        <thead><tr><th scope="col">Kind</th><th scope="col" class="num">Remaining</th><th scope="col">Grants (remaining, expiry)</th></tr></thead>
        <tbody>${a.balances.map((b) => html`<tr><th scope="row">${b.kind}</th><td class="num">${b.remaining}</td>
          <td>${b.grants.map((g) => html`<div>${g.remaining} — ${g.expires_at ? `expires ${g.expires_at.replace('T', ' ').replace(/:00(\.000)?Z$/, ' UTC')}` : 'never expires'}</div>`)}</td></tr>`)}</tbody>
      </table></div>
      <h3>Balance over time</h3>
      <${StepChart} points=${balanceOverTime(entries)} title="Balance over time" />
      <details><summary>Entry log (${entries.length})</summary>
        <div class="table-scroll"><table>
          <thead><tr><th scope="col">#</th><th scope="col">At</th><th scope="col">Kind</th><th scope="col" class="num">Amount</th><th scope="col" class="num">Change</th><th scope="col">Memo</th></tr></thead>
          <tbody>${entries.map((e) => html`<tr><td>${e.seq}</td><td>${e.at.replace('T', ' ').slice(0, 19)}</td><td>${e.kind}</td><td class="num">${e.amount}</td><td class="num">${e.balance_change}</td><td>${e.memo ?? ''}</td></tr>`)}</tbody>
        </table></div>
      </details>
    </div>` : null}
  </div>`;
}
