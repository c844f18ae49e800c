// The first admin key: taken from ADMIN_API_KEY, or created and printed on a first start.
import type { Logger } from 'pino';
import type { Ledger } from '../ledger/ledger.ts';
import { hashSecret, newApiKey } from './auth.ts';

export async function ensureAdminKey(ledger: Ledger, adminKey: string | undefined, log: Logger): Promise<void> {
  if (adminKey !== undefined) {
    const hash = hashSecret(adminKey);
    if (await ledger.store.apiKeyByHash(hash)) return;
    const { record } = newApiKey('admin', [], 'from ADMIN_API_KEY', ledger.now());
    await ledger.idempotently(`bootstrap:${hash}`, { op: 'env_admin_key', hash }, (tx) => tx.insertApiKey({ ...record, secretHash: hash }));
    log.info({ key: record.id }, 'admin key from ADMIN_API_KEY registered');
    return;
  }
  const keys = await ledger.store.apiKeys();
  if (keys.some((k) => k.scope === 'admin' && k.revokedAt === null)) return;
  const { token, record } = newApiKey('admin', [], 'created at first start', ledger.now());
  await ledger.idempotently(`bootstrap:${record.id}`, { op: 'first_admin_key' }, (tx) => tx.insertApiKey(record));
  // One record holding the secret as a field, written even when LOG_LEVEL hides warnings:
  // lost, the key could not be recovered.
  const announce = log.isLevelEnabled('warn') ? log : log.child({}, { level: 'warn' });
  announce.warn({ key: record.id, admin_key: token }, 'created an admin API key: admin_key is shown this once, keep it');
}
