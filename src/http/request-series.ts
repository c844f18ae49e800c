// The per-request series, http_requests_total and http_request_duration_seconds, kept as
// plain numbers in nested maps (method → route → status) and handed to the registry at
// scrape time. prom-client's own inc()/observe() validate and hash a label object on every
// call: about a microsecond each, measured, on the path every quote takes; here a request
// costs three map lookups and a bucket search.
import type { Registry } from 'prom-client';

interface Cell {
  labels: { method: string; route: string; status: string };
  count: number;
  sum: number;
  /** Observations per bucket (not cumulative); the last counts those above every bound. */
  perBucket: Float64Array;
}

interface Sample {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

export class RequestSeries {
  private cells = new Map<string, Map<string, Map<number, Cell>>>();

  constructor(registry: Registry, private readonly bounds: readonly number[]) {
    // What prom-client's registry reads of a metric (as of v15): name, help, type, get(), reset().
    const view = (name: string, help: string, type: 'counter' | 'histogram', values: () => Sample[]) => ({
      name, help, type, aggregator: 'sum',
      get: async () => ({ name, help, type, aggregator: 'sum', values: values() }),
      reset: () => { this.cells = new Map(); },
    });
    registry.registerMetric(view('http_requests_total', 'HTTP requests by method, route pattern and status', 'counter',
      () => this.all().map((c) => ({ labels: c.labels, value: c.count }))) as never);
    registry.registerMetric(view('http_request_duration_seconds', 'HTTP request latency by method, route pattern and status', 'histogram',
      () => this.all().flatMap((c) => this.histogram(c))) as never);
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    let byRoute = this.cells.get(method);
    if (!byRoute) this.cells.set(method, (byRoute = new Map()));
    let byStatus = byRoute.get(route);
    if (!byStatus) byRoute.set(route, (byStatus = new Map()));
    let cell = byStatus.get(status);
    if (!cell) {
      cell = { labels: { method, route, status: String(status) }, count: 0, sum: 0, perBucket: new Float64Array(this.bounds.length + 1) };
      byStatus.set(status, cell);
    }
    cell.count++;
    cell.sum += seconds;
    const { bounds } = this;
    let i = 0;
    while (i < bounds.length && seconds > bounds[i]!) i++;
    cell.perBucket[i]!++;
  }

  private all(): Cell[] {
    const out: Cell[] = [];
    for (const byRoute of this.cells.values()) for (const byStatus of byRoute.values()) for (const cell of byStatus.values()) out.push(cell);
    return out;
  }

  private histogram(c: Cell): Sample[] {
    const name = 'http_request_duration_seconds';
    const out: Sample[] = [];
    let cumulative = 0;
    this.bounds.forEach((le, i) => {
      cumulative += c.perBucket[i]!;
      out.push({ metricName: `${name}_bucket`, labels: { le, ...c.labels }, value: cumulative });
    });
    out.push(
      { metricName: `${name}_bucket`, labels: { le: '+Inf', ...c.labels }, value: c.count },
      { metricName: `${name}_sum`, labels: c.labels, value: c.sum },
      { metricName: `${name}_count`, labels: c.labels, value: c.count },
    );
    return out;
  }
}
