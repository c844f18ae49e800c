// The price of every option of one input (POST /v1/quotes/matrix): a table and a bar chart.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api, type InputSchema, type Matrix } from './api.ts';
import { BarChart } from './charts.ts';
import { show } from './quote-panel.ts';
import { useRequest } from './use-request.ts';

export function variableInputs(schema: InputSchema): string[] {
  return Object.entries(schema.properties ?? {}).filter(([, s]) => s.enum || s.type === 'boolean').map(([n]) => n);
}

export function MatrixPanel({ pack, operation, schema, input }: { pack: string; operation: string; schema: InputSchema; input: Record<string, unknown> }) {
  const choices = variableInputs(schema);
  const [chosen, setChosen] = useState<string | null>(null);
  const vary = chosen && choices.includes(chosen) ? chosen : choices[0] ?? null;
  const base = { ...input };
  if (vary) delete base[vary];
  const req = useRequest<Matrix>(vary ? JSON.stringify([pack, operation, vary, base]) : null,
    (signal) => api<Matrix>('POST', '/v1/quotes/matrix', { pack, operation, input: base, vary: [vary] }, signal));
  if (choices.length === 0) return html`<p class="muted">This operation has no enum or boolean input to compare.</p>`;
  const m = req.data;
  const outputs = m ? [...new Set(m.rows.flatMap((r) => Object.keys(r.outputs ?? {})))] : [];
  const charged = m?.rows.some((r) => r.amount);
  const measure = charged ? 'amount' : outputs[0];
  return html`<div class="matrix">
    <div class="field field-inline">
      <label for="matrix-vary">Compare every option of</label>
      <select id="matrix-vary" data-testid="matrix-vary" value=${vary ?? ''} onChange=${(e: Event) => setChosen((e.target as HTMLSelectElement).value)}>
        ${choices.map((c) => html`<option value=${c} selected=${c === vary}>${c}</option>`)}
      </select>
    </div>
    ${req.error ? html`<p class="error" role="alert">${req.error.message}</p>` : null}
    ${m ? html`<div data-testid="price-matrix" aria-busy=${req.busy}>
      <div class="table-scroll"><table class="matrix-table">
        <caption>Price of each ${vary}, other inputs as in the form (version ${m.version})</caption>
        <thead><tr><th scope="col">${vary}</th>${outputs.map((o) => html`<th scope="col" class="num">${o}</th>`)}${charged ? html`<th scope="col" class="num">amount</th>` : null}<th scope="col">rejected because</th></tr></thead>
        <tbody>${m.rows.map((r) => html`<tr class=${r.rejections?.length || r.error ? 'rejected' : ''}>
          <th scope="row">${String(r.values[vary!])}</th>
          ${outputs.map((o) => html`<td class="num">${r.outputs && !r.rejections?.length && o in r.outputs ? show(r.outputs[o]) : '—'}</td>`)}
          ${charged ? html`<td class="num">${r.amount ?? '—'}</td>` : null}
          <td>${r.error ? r.error.message : (r.rejections ?? []).map((x) => x.message).join('; ')}</td>
        </tr>`)}</tbody>
      </table></div>
      ${measure ? html`<${BarChart} title=${`${measure} by ${vary}`} bars=${m.rows.map((r) => ({
        label: String(r.values[vary!]),
        value: r.error || r.rejections?.length ? null : measure === 'amount' ? r.amount ?? null : show(r.outputs?.[measure] ?? null),
        note: r.error ? 'error' : r.rejections?.length ? 'rejected' : undefined,
      }))} />` : null}
    </div>` : req.busy ? html`<p class="muted">Pricing every option…</p>` : null}
  </div>`;
}
