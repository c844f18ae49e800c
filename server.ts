// Wiring only: configuration, packs, store, ledger, app and shutdown. See README.md, "The credits API".
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Engine } from './src/engine/index.ts';
import { createApp } from './src/http/app.ts';
import { openLedgerHistory } from './src/impact/ledger-history.ts';
import { ensureAdminKey } from './src/http/bootstrap.ts';
import { readConfig } from './src/http/config.ts';
import { Metrics } from './src/http/metrics.ts';
import { GracefulShutdown, Lifecycle } from './src/http/shutdown.ts';
import { Ledger } from './src/ledger/ledger.ts';
import { withLedgerPolicies } from './src/ledger/pack-policies.ts';
import { PostgresStore } from './src/ledger/store/postgres-store.ts';
import { SqliteStore } from './src/ledger/store/sqlite-store.ts';
import type { Store } from './src/ledger/store/store.ts';

const config = readConfig(process.env);
const log = pino({ level: config.logLevel });

const engine = Engine.load(config.rulesDir);
const metrics = new Metrics();
const store: Store = metrics.timed(config.store.kind === 'postgres'
  ? await PostgresStore.open({ connectionString: config.store.url, schema: config.store.schema, poolSize: config.store.poolSize, lanes: config.store.lanes })
  : new SqliteStore({ path: config.store.path, synchronous: config.store.synchronous }));
const ledger = await Ledger.open(store, withLedgerPolicies(engine), { quoteTtlSeconds: config.quoteTtlSeconds, observer: metrics });
// A read-only view of the recorded charges, for impact reports (POST /v1/packs/{pack}/impact).
const history = config.store.kind === 'postgres' ? openLedgerHistory(config.store.url, config.store.schema) : openLedgerHistory(config.store.path);
await ensureAdminKey(ledger, config.adminKey, log);

const lifecycle = new Lifecycle();
const app = createApp({
  ledger, engine, log, metrics, lifecycle, metricsToken: config.metricsToken, history,
  bodyLimit: config.bodyLimit, keyCacheSeconds: config.keyCacheSeconds,
});
const server = app.listen(config.port, config.host, () => {
  const where = config.store.kind === 'sqlite' ? config.store.path : `postgres${config.store.schema ? ` schema ${config.store.schema}` : ''}`;
  const { port } = server.address() as AddressInfo;
  log.info({ port, host: config.host, store: config.store.kind, where, packs: engine.packs().map((p) => p.name) }, 'credits API listening');
});

const sweep = setInterval(() => {
  ledger.releaseExpiredHolds().catch((err: unknown) => log.error({ err }, 'releasing expired holds failed'));
}, config.holdSweepSeconds * 1000);
const webhooks = setInterval(() => {
  ledger.webhooks.deliverDue().catch((err: unknown) => log.error({ err }, 'delivering webhooks failed'));
}, config.webhookSeconds * 1000);

const shutdown = new GracefulShutdown(server, lifecycle, {
  timeoutMs: config.shutdownTimeoutSeconds * 1000,
  log,
  cleanup: async () => {
    clearInterval(sweep);
    clearInterval(webhooks);
    await ledger.webhooks.idle();
    await store.close();
    await history.close();
  },
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    shutdown.begin(signal).then(({ exitCode }) => process.exit(exitCode), () => process.exit(1));
  });
}
