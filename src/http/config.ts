// Server configuration from the environment; every variable is documented in README.md.

export interface ServerConfig {
  port: number;
  host: string;
  rulesDir: string;
  store:
    | { kind: 'sqlite'; path: string; synchronous: 'FULL' | 'NORMAL' | 'OFF' }
    | { kind: 'postgres'; url: string; schema?: string; poolSize: number; lanes: number };
  /** An admin key to accept (created in the store if absent). */
  adminKey?: string;
  logLevel: string;
  quoteTtlSeconds: number;
  bodyLimit: string;
  holdSweepSeconds: number;
  /** How often the webhook worker dispatches new events and sends due deliveries. */
  webhookSeconds: number;
  keyCacheSeconds: number;
  /** How long requests in flight may finish after SIGTERM/SIGINT before their connections are closed. */
  shutdownTimeoutSeconds: number;
  /** Required by /metrics as a bearer token when set. */
  metricsToken?: string;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  return n;
}

export function readConfig(env: NodeJS.ProcessEnv): ServerConfig {
  const url = env.DATABASE_URL;
  const synchronous = (env.SQLITE_SYNCHRONOUS ?? 'FULL').toUpperCase();
  if (synchronous !== 'FULL' && synchronous !== 'NORMAL' && synchronous !== 'OFF') throw new Error(`SQLITE_SYNCHRONOUS must be FULL, NORMAL or OFF, got '${synchronous}'`);
  if (url && !/^postgres(ql)?:\/\//.test(url)) throw new Error('DATABASE_URL must be a postgres:// URL (leave it unset for SQLite)');
  const adminKey = env.ADMIN_API_KEY || undefined;
  if (adminKey !== undefined && (adminKey.length < 16 || !/^[\x21-\x7e]+$/.test(adminKey))) throw new Error('ADMIN_API_KEY must be at least 16 printable characters');
  const metricsToken = env.METRICS_TOKEN || undefined;
  if (metricsToken !== undefined && !/^[\x21-\x7e]+$/.test(metricsToken)) throw new Error('METRICS_TOKEN must be printable ASCII characters without spaces');
  const poolSize = int(env, 'PG_POOL_SIZE', 10, 1, 200);
  return {
    port: int(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    rulesDir: env.RULES_DIR || 'rules',
    store: url
      ? { kind: 'postgres', url, schema: env.DATABASE_SCHEMA || undefined, poolSize, lanes: int(env, 'PG_GROUP_COMMIT_LANES', Math.max(1, poolSize - 2), 0, poolSize) }
      : { kind: 'sqlite', path: env.SQLITE_PATH || 'data/credits.db', synchronous },
    adminKey,
    logLevel: env.LOG_LEVEL || 'info',
    quoteTtlSeconds: int(env, 'QUOTE_TTL_SECONDS', 300, 1, 86400),
    bodyLimit: env.BODY_LIMIT || '64kb',
    holdSweepSeconds: int(env, 'HOLD_SWEEP_SECONDS', 30, 1, 86400),
    webhookSeconds: int(env, 'WEBHOOK_INTERVAL_SECONDS', 5, 1, 3600),
    keyCacheSeconds: int(env, 'API_KEY_CACHE_SECONDS', 5, 0, 3600),
    shutdownTimeoutSeconds: int(env, 'SHUTDOWN_TIMEOUT_SECONDS', 10, 0, 3600),
    metricsToken,
  };
}
