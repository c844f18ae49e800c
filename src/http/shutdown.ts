// Graceful shutdown with a deadline: stop accepting connections, let requests in flight
// finish, close keep-alive connections as they fall idle, and at the deadline cut off what
// is left. Then clean up (timers, the store).
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { withDeadline } from './deadline.ts';

/** Shared by the app and the shutdown: while draining, readiness answers 503. */
export class Lifecycle {
  draining = false;
}

export type ShutdownOutcome = 'drained' | 'forced';

export interface ShutdownResult {
  outcome: ShutdownOutcome;
  /** 0 when every request finished and cleanup succeeded; 1 otherwise. */
  exitCode: 0 | 1;
}

export interface ShutdownOptions {
  /** How long requests in flight may take before their connections are closed under them. */
  timeoutMs: number;
  log: Logger;
  /** Runs once no connection is left: stop timers, close the store. It too has `timeoutMs` (at least 1 s) to finish. */
  cleanup?: () => Promise<void>;
}

// How often keep-alive connections are looked at: one that finished its request after the
// server stopped listening would otherwise linger until its keep-alive timeout.
const IDLE_SWEEP_MS = 100;

export class GracefulShutdown {
  private result: Promise<ShutdownResult> | undefined;
  private cutOff: (() => void) | undefined;

  constructor(
    private readonly server: Server,
    private readonly lifecycle: Lifecycle,
    private readonly options: ShutdownOptions,
  ) {}

  /** Starts shutting down; called again (a second Ctrl-C), it cuts the remaining requests off at once. */
  begin(reason: string): Promise<ShutdownResult> {
    if (this.result) {
      this.options.log.warn({ reason }, 'shutting down now: closing connections with requests in flight');
      this.cutOff?.();
      return this.result;
    }
    this.result = this.run(reason);
    return this.result;
  }

  private async run(reason: string): Promise<ShutdownResult> {
    const { log, timeoutMs, cleanup } = this.options;
    this.lifecycle.draining = true;
    log.info({ reason, timeout_seconds: timeoutMs / 1000 }, 'shutting down: finishing requests in flight');
    const outcome = await this.drain();
    if (outcome === 'forced') log.warn({ timeout_seconds: timeoutMs / 1000 }, 'shutdown deadline passed: closed connections with requests in flight');
    let cleanedUp = true;
    if (cleanup) {
      cleanedUp = await withDeadline(cleanup(), Math.max(timeoutMs, 1000)).then(() => true, (err: unknown) => {
        log.error({ err }, 'cleanup after shutdown failed');
        return false;
      });
    }
    const exitCode = outcome === 'drained' && cleanedUp ? 0 : 1;
    log.info({ outcome, exit_code: exitCode }, 'shut down');
    return { outcome, exitCode };
  }

  private drain(): Promise<ShutdownOutcome> {
    const { server } = this;
    return new Promise((resolve) => {
      let forced = false;
      const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
      this.cutOff = () => {
        if (forced) return;
        forced = true;
        server.closeAllConnections();
      };
      const deadline = setTimeout(this.cutOff, this.options.timeoutMs);
      // close() also closes the connections idle right now; its callback runs once none is left.
      server.close(() => {
        clearInterval(sweep);
        clearTimeout(deadline);
        resolve(forced ? 'forced' : 'drained');
      });
    });
  }
}
