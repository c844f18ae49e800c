// What the edited rule would have done (POST /v1/packs/{pack}/impact), over the charges the
// ledger recorded or over the pack's bundled corpus: totals per operation, and a histogram of
// per-request change, with the same buckets as a table for those who can't see the chart.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api, ApiError } from './api.ts';
import { bucketText, Histogram, type Bucket } from './charts.ts';

interface Tally {
  requests: number; changed: number; newly_rejected: number; newly_accepted: number;
  before_total: string; after_total: string; delta: string; delta_percent: string | null;
  histogram?: { step: string; buckets: Bucket[] } | null;
}
interface Impact { operations: Record<string, Tally>; totals: Tally }
type Over = 'ledger' | 'corpus';

const TOTAL = 'all operations';
const overText: Record<Over, string> = { ledger: 'the recorded charges', corpus: 'the bundled corpus' };

function Row({ name, t }: { name: string; t: Tally }) {
  return html`<tr><th scope="row">${name}</th><td class="num">${t.requests}</td><td class="num">${t.changed}</td>
    <td class="num">${t.newly_rejected}</td><td class="num">${t.newly_accepted}</td>
    <td class="num">${t.before_total}</td><td class="num">${t.after_total}</td><td class="num">${t.delta}${t.delta_percent ? ` (${t.delta_percent}%)` : ''}</td></tr>`;
}

function ChangeHistogram({ impact }: { impact: Impact }) {
  const [chosen, setChosen] = useState(TOTAL);
  const names = [TOTAL, ...Object.keys(impact.operations).filter((n) => impact.operations[n]!.histogram)];
  const name = names.includes(chosen) ? chosen : TOTAL;
  const h = (name === TOTAL ? impact.totals : impact.operations[name]!).histogram;
  return html`<div data-testid="impact-histogram">
    <div class="field field-inline">
      <label for="impact-histogram-of">Per-request change of</label>
      <select id="impact-histogram-of" value=${name} onChange=${(e: Event) => setChosen((e.target as HTMLSelectElement).value)}>
        ${names.map((n) => html`<option value=${n} selected=${n === name}>${n}</option>`)}
      </select>
    </div>
    ${h ? html`<${Histogram} buckets=${h.buckets} title=${`Per-request change of ${name}`} />
      <details>
        <summary>The buckets as a table</summary>
        <div class="table-scroll"><table data-testid="impact-buckets">
          <caption>Requests by change per request (${name}; buckets of ${h.step})</caption>
          <thead><tr><th scope="col">Change</th><th scope="col" class="num">Requests</th></tr></thead>
          <tbody>${h.buckets.map((b) => html`<tr><th scope="row">${bucketText(b)}</th><td class="num">${b.count}</td></tr>`)}</tbody>
        </table></div>
      </details>`
      : html`<p class="muted">No request is priced on both sides.</p>`}
  </div>`;
}

export function ImpactPanel({ pack, path, text }: { pack: string; path: string; text: string | null }) {
  const [over, setOver] = useState<Over>('ledger');
  const [state, setState] = useState<{ busy: boolean; impact: Impact | null; error: string | null; asked: string | null; over: Over }>({ busy: false, impact: null, error: null, asked: null, over: 'ledger' });
  const run = () => {
    if (text === null) return;
    setState({ busy: true, impact: null, error: null, asked: text, over });
    api<Impact>('POST', `/v1/packs/${encodeURIComponent(pack)}/impact`, { files: [{ path, text }], requests: over }).then(
      (impact) => setState({ busy: false, impact, error: null, asked: text, over }),
      (e: Error) => setState({ busy: false, impact: null, error: e instanceof ApiError ? e.message : String(e), asked: text, over }),
    );
  };
  const stale = state.asked !== null && (state.asked !== text || state.over !== over);
  const i = state.impact;
  return html`<div class="impact">
    <h3>Impact of the edit</h3>
    <p class="small muted">Prices every request twice, with the live rule and with the edited one, and compares.</p>
    <fieldset class="impact-source">
      <legend>Compare over</legend>
      ${(['ledger', 'corpus'] as const).map((o) => html`<label><input type="radio" name="impact-over" value=${o} checked=${over === o} onChange=${() => setOver(o)} /> ${overText[o]}</label>`)}
    </fieldset>
    <button type="button" disabled=${text === null || state.busy} onClick=${run}>${state.busy ? 'Comparing…' : `Compare with ${overText[over]}`}</button>
    ${stale ? html` <span class="badge badge-edited">changed since</span>` : null}
    ${state.error ? html`<p class="error" role="alert">${state.error}</p>` : null}
    ${i ? html`<div data-testid="impact">
      <div class="table-scroll"><table>
        <caption>Before (live) and after (edited), per operation, over ${overText[state.over]}</caption>
        <thead><tr><th scope="col">Operation</th><th scope="col" class="num">Requests</th><th scope="col" class="num">Changed</th><th scope="col" class="num">Newly rejected</th><th scope="col" class="num">Newly accepted</th><th scope="col" class="num">Before</th><th scope="col" class="num">After</th><th scope="col" class="num">Change</th></tr></thead>
        <tbody>${Object.entries(i.operations).map(([n, t]) => html`<${Row} name=${n} t=${t} />`)}<${Row} name="total" t=${i.totals} /></tbody>
      </table></div>
      ${i.totals.requests === 0
        ? html`<p class="muted">${state.over === 'ledger' ? 'The ledger has no charges of this pack yet.' : 'The corpus is empty.'}</p>`
        : html`<${ChangeHistogram} impact=${i} />`}
    </div>` : null}
  </div>`;
}
