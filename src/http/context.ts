import type { Logger } from 'pino';
import type { Ledger } from '../ledger/ledger.ts';

export interface AppContext {
  ledger: Ledger;
  /** The input JSON Schema of an operation, for clients building forms. */
  engine: { inputSchema(pack: string, operation: string): object };
  log: Logger;
  /** Largest accepted JSON body. */
  bodyLimit?: string;
  /** How long a verified API key is remembered (a revocation elsewhere takes this long to reach this server). */
  keyCacheSeconds?: number;
}
