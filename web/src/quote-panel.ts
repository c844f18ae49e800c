// A quote: its outputs, the rejections with their messages, the version used, and the
// explain trace as a table (cell, value, formula).
import { html } from 'htm/preact';
import type { QuoteView } from './api.ts';

export function show(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

interface IllustrativeFigure {
  figure: string;
  reason: string;
  at: string;
}

/** The figures marked illustrative (invented, not published) that a trace line or a quote used. */
function illustrative(v: unknown): IllustrativeFigure[] {
  return Array.isArray(v) ? (v as IllustrativeFigure[]) : [];
}

function IllustrativeBadge({ figures }: { figures: IllustrativeFigure[] }) {
  if (figures.length === 0) return null;
  const why = figures.map((f) => `${f.figure}: ${f.reason} (${f.at})`).join('\n');
  return html` <span class="badge badge-mark" title=${why} aria-label=${`illustrative figure: ${why}`}>illustrative</span>`;
}

export function QuotePanel({ quote, error, edited, busy }: { quote: QuoteView | null; error: string | null; edited: boolean; busy: boolean }) {
  const figures = illustrative((quote as { illustrative?: unknown } | null)?.illustrative);
  return html`<div class="quote" aria-busy=${busy}>
    <p class="quote-meta">
      ${quote ? html`Version <strong data-testid="quote-version">${quote.version}</strong>` : null}
      ${edited ? html` <span class="badge badge-edited">priced by the edited rule</span>` : null}
    </p>
    ${error ? html`<p class="error" role="alert" data-testid="quote-error">${error}</p>` : null}
    <div data-testid="quote-outputs" class="outputs" aria-live="polite">
      ${quote && quote.rejections.length === 0
        ? Object.entries(quote.outputs).map(([k, v]) => html`<div class="output"><span class="output-name">${k}</span> <span class="output-value">${show(v)}</span></div>`)
        : quote ? html`<p class="muted">No price: the request is rejected.</p>` : null}
      ${quote?.amount ? html`<div class="output output-amount"><span class="output-name">amount charged</span> <span class="output-value">${quote.amount}</span></div>` : null}
    </div>
    <div data-testid="quote-rejections" class="rejections" aria-live="polite">
      ${quote?.rejections.map((r) => html`<p class="rejection" role="status"><strong>Rejected</strong>${r.code ? html` <code>${r.code}</code>` : null}: ${r.message}</p>`)}
    </div>
    ${figures.length ? html`<details class="illustrative-note small">
      <summary>Uses ${figures.length} figure${figures.length === 1 ? '' : 's'} marked <span class="badge badge-mark">illustrative</span> (not published)</summary>
      <ul>${figures.map((f) => html`<li><code>${f.figure}</code> — ${f.reason} <span class="muted">(${f.at})</span></li>`)}</ul>
    </details>` : null}
    ${quote?.trace?.length ? html`<details open class="trace-box">
      <summary>Explanation, cell by cell</summary>
      <div class="table-scroll">
        <table data-testid="explain-trace" class="trace">
          <caption class="visually-hidden">How the price was computed</caption>
          <thead><tr><th scope="col">Cell</th><th scope="col">Value</th><th scope="col">Formula</th></tr></thead>
          <tbody>${quote.trace.map((t) => html`<tr class=${`trace-${t.kind ?? 'cell'}`}>
            <th scope="row"><code>${t.name}</code>${t.kind && t.kind !== 'cell' ? html` <span class="kind">${t.kind}</span>` : null}
              <${IllustrativeBadge} figures=${illustrative(t.illustrative)} /></th>
            <td class="num">${show(t.value)}</td>
            <td><code class="formula">${t.formula ?? ''}</code>${t.note ? html` <span class="note">${t.note}</span>` : null}</td>
          </tr>`)}</tbody>
        </table>
      </div>
    </details>` : null}
  </div>`;
}
