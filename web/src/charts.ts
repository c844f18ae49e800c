// Plain SVG charts: horizontal bars for a price matrix, a step line for a balance over time,
// columns for a histogram of per-request change.
// Figures are drawn from approximations; the labels show the exact decimal strings.
import { html } from 'htm/preact';
import { approx } from './decimal.ts';

export interface Bar {
  label: string;
  value: string | null;
  /** Why there is no value (a rejection, an error). */
  note?: string;
}

export function BarChart({ bars, title }: { bars: Bar[]; title: string }) {
  const values = bars.map((b) => (b.value === null ? undefined : approx(b.value)) ?? 0);
  const max = Math.max(1e-9, ...values.map(Math.abs));
  const row = 28;
  const labelWidth = 150;
  const width = 440;
  const barSpace = width - labelWidth - 70;
  return html`<svg class="chart bars" viewBox=${`0 0 ${width} ${bars.length * row + 8}`} role="img" aria-label=${title} preserveAspectRatio="xMinYMin meet">
    ${bars.map((b, i) => {
      const y = i * row + 4;
      const w = b.value === null ? 0 : Math.max(1, (Math.abs(values[i]!) / max) * barSpace);
      return html`<g>
        <text x=${labelWidth - 8} y=${y + row / 2 + 4} text-anchor="end" class="bar-label">${b.label.length > 20 ? `${b.label.slice(0, 19)}…` : b.label}<title>${b.label}</title></text>
        ${b.value === null
          ? html`<text x=${labelWidth} y=${y + row / 2 + 4} class="bar-note">${b.note ?? '—'}</text>`
          : html`<rect x=${labelWidth} y=${y + 4} width=${w} height=${row - 10} rx="3" class="bar"></rect>
                 <text x=${labelWidth + w + 6} y=${y + row / 2 + 4} class="bar-value">${b.value}</text>`}
      </g>`;
    })}
  </svg>`;
}

export interface Point {
  at: number;
  value: string;
}

export function StepChart({ points, title }: { points: Point[]; title: string }) {
  if (points.length === 0) return html`<p class="muted">No entries yet.</p>`;
  const width = 560;
  const height = 180;
  const pad = { left: 60, right: 12, top: 12, bottom: 28 };
  const xs = points.map((p) => p.at);
  const ys = points.map((p) => approx(p.value) ?? 0);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs, x0 + 1);
  const y0 = Math.min(0, ...ys);
  const y1 = Math.max(1, ...ys);
  const sx = (x: number) => pad.left + ((x - x0) / (x1 - x0)) * (width - pad.left - pad.right);
  const sy = (y: number) => height - pad.bottom - ((y - y0) / (y1 - y0)) * (height - pad.top - pad.bottom);
  let d = `M ${sx(xs[0]!)} ${sy(ys[0]!)}`;
  for (let i = 1; i < points.length; i++) d += ` H ${sx(xs[i]!)} V ${sy(ys[i]!)}`;
  const last = points[points.length - 1]!;
  const date = (t: number) => new Date(t).toISOString().slice(0, 10);
  return html`<svg class="chart steps" viewBox=${`0 0 ${width} ${height}`} role="img" aria-label=${`${title}: from ${points[0]!.value} to ${last.value}`}>
    <line x1=${pad.left} x2=${width - pad.right} y1=${sy(0)} y2=${sy(0)} class="axis"></line>
    <text x=${pad.left - 6} y=${sy(y1) + 4} text-anchor="end" class="tick">${String(Math.round(y1))}</text>
    <text x=${pad.left - 6} y=${sy(y0) + 4} text-anchor="end" class="tick">${String(Math.round(y0))}</text>
    <text x=${pad.left} y=${height - 8} class="tick">${date(x0)}</text>
    <text x=${width - pad.right} y=${height - 8} text-anchor="end" class="tick">${date(x1)}</text>
    <path d=${d} class="line"></path>
    ${points.map((p, i) => html`<circle cx=${sx(xs[i]!)} cy=${sy(ys[i]!)} r="3" class="dot"><title>${`${new Date(p.at).toISOString()}: ${p.value}`}</title></circle>`)}
  </svg>`;
}

/** A bucket as the API gives it: decreases are [from, to), increases (from, to], from = to = 0 the unchanged. */
export interface Bucket {
  from: string;
  to: string;
  count: number;
}

export function bucketText(b: Bucket): string {
  if (b.from === '0' && b.to === '0') return 'unchanged (0)';
  return b.to.startsWith('-') || b.to === '0' ? `${b.from} ≤ change < ${b.to}` : `${b.from} < change ≤ ${b.to}`;
}

export function Histogram({ buckets, title }: { buckets: Bucket[]; title: string }) {
  const width = 520;
  const height = 190;
  const pad = { left: 36, right: 8, top: 18, bottom: 34 };
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const slot = (width - pad.left - pad.right) / buckets.length;
  const sy = (n: number) => height - pad.bottom - (n / max) * (height - pad.top - pad.bottom);
  const kind = (b: Bucket) => (b.from === '0' && b.to === '0' ? 'hist-zero' : b.to.startsWith('-') || b.to === '0' ? 'hist-down' : 'hist-up');
  const total = buckets.reduce((n, b) => n + b.count, 0);
  const first = buckets[0]!;
  const last = buckets[buckets.length - 1]!;
  const zero = buckets.findIndex((b) => b.from === '0' && b.to === '0');
  const summary = `${title}: ${total} request${total === 1 ? "" : "s"} from ${first.from} to ${last.to}${zero >= 0 ? `, ${buckets[zero]!.count} unchanged` : ''}`;
  return html`<svg class="chart histogram" viewBox=${`0 0 ${width} ${height}`} role="img" aria-label=${summary}>
    <line x1=${pad.left} x2=${width - pad.right} y1=${sy(0)} y2=${sy(0)} class="axis"></line>
    <text x=${pad.left - 6} y=${sy(max) + 4} text-anchor="end" class="tick">${String(max)}</text>
    <text x=${pad.left - 6} y=${sy(0) + 4} text-anchor="end" class="tick">0</text>
    ${buckets.map((b, i) => {
      const x = pad.left + i * slot;
      const h = sy(0) - sy(b.count);
      return html`<g>
        <rect x=${x + 1} y=${sy(b.count)} width=${Math.max(1, slot - 2)} height=${h} class=${kind(b)}><title>${`${bucketText(b)}: ${b.count}`}</title></rect>
        ${b.count > 0 ? html`<text x=${x + slot / 2} y=${sy(b.count) - 4} text-anchor="middle" class="tick">${String(b.count)}</text>` : null}
      </g>`;
    })}
    ${buckets.length <= 8
      // few buckets: each one's range under its bar
      ? buckets.map((b, i) => html`<text x=${pad.left + (i + 0.5) * slot} y=${height - 16} text-anchor="middle" class="tick">${b === buckets[zero] ? '0' : `${b.from} to ${b.to}`}</text>`)
      : html`<text x=${pad.left} y=${height - 16} class="tick">${first.from}</text>
        ${zero > 0 && zero < buckets.length - 1 ? html`<text x=${pad.left + (zero + 0.5) * slot} y=${height - 16} text-anchor="middle" class="tick">0</text>` : null}
        <text x=${width - pad.right} y=${height - 16} text-anchor="end" class="tick">${last.to}</text>`}
    <text x=${(width + pad.left) / 2} y=${height - 2} text-anchor="middle" class="tick muted-tick">change per request</text>
  </svg>`;
}
