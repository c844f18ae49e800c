// A store whose transactions and reads report how long the caller waited for them.
import type { ApiKeyRecord } from '../ledger/records.ts';
import type { LockHint, ReadTx, Store, WriteTx } from '../ledger/store/store.ts';

export type StoreWork = 'transaction' | 'read';

export class TimedStore implements Store {
  constructor(
    private readonly inner: Store,
    private readonly observe: (op: StoreWork, seconds: number) => void,
  ) {}

  get kind(): Store['kind'] {
    return this.inner.kind;
  }

  transaction<T>(work: (tx: WriteTx) => Promise<T>, lock?: LockHint): Promise<T> {
    return this.timed('transaction', () => this.inner.transaction(work, lock));
  }

  read<T>(work: (tx: ReadTx) => Promise<T>): Promise<T> {
    return this.timed('read', () => this.inner.read(work));
  }

  private async timed<T>(op: StoreWork, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await run();
    } finally {
      this.observe(op, (performance.now() - started) / 1000);
    }
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  openHolds(at: number): Promise<number> {
    return this.inner.openHolds(at);
  }

  apiKeyByHash(secretHash: string): Promise<ApiKeyRecord | undefined> {
    return this.inner.apiKeyByHash(secretHash);
  }

  apiKeys(): Promise<ApiKeyRecord[]> {
    return this.inner.apiKeys();
  }

  setting(name: string, initial: () => string): Promise<string> {
    return this.inner.setting(name, initial);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
