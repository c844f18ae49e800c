// HTTP load through autocannon (keep-alive connections on loopback): fixed requests, and
// charges with a fresh Idempotency-Key per request spread over several accounts.
import { createRequire } from 'node:module';

interface Request {
  method: 'POST';
  path: string;
  body?: string;
  headers: Record<string, string>;
}

interface Options {
  url: string;
  method?: 'POST';
  body?: string;
  headers?: Record<string, string>;
  connections: number;
  duration: number;
  requests?: { method: 'POST'; path: string; setupRequest: (req: Request) => Request }[];
}

// autocannon ships no types; this is the slice of its API used here.
const autocannon = createRequire(import.meta.url)('autocannon') as (options: Options) => Promise<{ requests: { average: number; total: number }; non2xx: number; errors: number; duration: number }>;

export interface Load {
  rps: number;
  non2xx: number;
  errors: number;
}

export async function postLoad(url: string, path: string, body: string, headers: Record<string, string>, connections: number, seconds: number): Promise<Load> {
  const r = await autocannon({ url: url + path, method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, connections, duration: seconds });
  return { rps: r.requests.average, non2xx: r.non2xx, errors: r.errors };
}

let charge = 0;

/** POST /v1/charges (captured at once), each with its own key, on `accounts` in turn. */
export async function chargeLoad(url: string, token: string, accounts: string[], connections: number, seconds: number): Promise<Load> {
  const prefix = `load-${process.pid}-${Date.now()}`;
  const r = await autocannon({
    url, connections, duration: seconds,
    requests: [{
      method: 'POST', path: '/v1/charges',
      setupRequest: (req) => {
        const n = charge++;
        return {
          ...req,
          headers: { ...req.headers, 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': `${prefix}-${n}` },
          body: JSON.stringify({ account: accounts[n % accounts.length], operation: 'generate', input: { tool: 'text_to_image' } }),
        };
      },
    }],
  });
  return { rps: r.requests.total / r.duration, non2xx: r.non2xx, errors: r.errors };
}
