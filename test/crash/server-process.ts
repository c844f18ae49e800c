// The real API server as a child process (the TypeScript sources through tsx, so the test
// never runs a stale build), and a cluster of them that the crash test kills and restarts.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export class ServerProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  /** Set while the process serves; cleared the moment it is killed or stopped. */
  url: string | undefined;
  /** Set when the process exits on its own while serving: the run can't go on. */
  crashed: Error | undefined;

  constructor(readonly name: string, private readonly env: Record<string, string>) {}

  /** Resolves with the base URL once the server logs that it listens and /readyz answers 200. */
  async start(): Promise<string> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      if (this.url !== undefined) this.crashed = new Error(`${this.name} exited (${code ?? signal}) while serving:\n${stderr}`);
      this.url = undefined;
      resolve();
    }));
    const url = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code, signal) => reject(new Error(`${this.name} exited (${code ?? signal}) before listening:\n${stderr}`)));
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        if (!line.startsWith('{')) return;
        const record = JSON.parse(line) as { msg?: string; port?: number };
        if (record.msg !== 'credits API listening') return;
        // The request log that follows is read and dropped, never parsed.
        lines.close();
        child.stdout!.resume();
        resolve(`http://127.0.0.1:${record.port}`);
      });
    });
    // Ready answers 503 while the store is slow to answer its ping (a loaded machine): ask again.
    const readiness = async () => {
      const res = await fetch(`${url}/readyz`);
      await res.arrayBuffer();
      return res.status;
    };
    for (let attempt = 1; (await readiness()) !== 200; attempt++) {
      if (attempt === 100) throw new Error(`${this.name}: /readyz did not answer 200 after listening`);
    }
    this.url = url;
    return url;
  }

  /** SIGKILL: no shutdown, no flush, connections cut under their requests. */
  async kill(): Promise<void> {
    this.url = undefined;
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM: the graceful shutdown, for the end of a run. */
  async stop(): Promise<void> {
    this.url = undefined;
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}

/**
 * Servers sharing one store. Kills are scheduled by request count: once `sent` reaches the
 * next kill point and every server is up, the next server in turn is SIGKILLed with requests
 * in flight. With one server it restarts as soon as it has exited; with several it restarts
 * once the others have answered `survivorAcks` requests since the kill, which proves they kept
 * serving.
 */
export class Cluster {
  sent = 0;
  kills = 0;
  private readonly killAt: number[];
  private waiting: (() => void)[] = [];
  private down: { server: ServerProcess; acksNeeded: number; quota: number; exited: Promise<void>; restarted?: Promise<void> } | undefined;
  /** Requests the other servers answered while one was down, per kill. */
  readonly servedWhileDown: number[] = [];
  /** A restart that failed, or a server that died unkilled: every waiting request fails with it. */
  private failure: unknown;

  constructor(readonly servers: ServerProcess[], killAt: number[], private readonly survivorAcks = 10) {
    this.killAt = [...killAt].sort((a, b) => a - b);
  }

  async startAll(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.start()));
  }

  /**
   * A server that is up, preferring the client's own. While one is down the others take only
   * `survivorAcks` requests in all; then requests wait for the restart, so the run's request
   * counts, not the speed of a restart, decide where the next kill falls.
   */
  async pick(preferred: number): Promise<ServerProcess> {
    for (;;) {
      const crashed = this.servers.find((s) => s.crashed)?.crashed;
      if (this.failure ?? crashed) throw this.failure ?? crashed;
      const up = [...this.servers.slice(preferred % this.servers.length), ...this.servers].find((s) => s.url);
      if (up && (!this.down || this.down.quota > 0)) {
        if (this.down) this.down.quota--;
        return up;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  /** Called right after a request is dispatched (so it and others are in flight). */
  dispatched(): void {
    this.sent++;
    const next = this.killAt[0];
    if (next === undefined || this.sent < next || this.down) return;
    this.killAt.shift();
    const server = this.servers[this.kills % this.servers.length]!;
    this.kills++;
    this.servedWhileDown.push(0);
    const survivors = this.servers.length > 1 ? this.survivorAcks : 0;
    const down = { server, acksNeeded: survivors, quota: survivors, exited: server.kill() };
    this.down = down;
    void down.exited.then(() => this.restartIfDue());
  }

  /** Called when a server answers (any status). */
  answered(server: ServerProcess): void {
    if (!this.down || server === this.down.server) return;
    this.servedWhileDown[this.servedWhileDown.length - 1]!++;
    this.down.acksNeeded--;
    void this.restartIfDue();
  }

  private restartIfDue(): Promise<void> {
    const d = this.down;
    if (!d) return Promise.resolve();
    d.restarted ??= d.acksNeeded > 0 ? undefined : d.exited
      .then(() => d.server.start())
      .then(() => { this.down = undefined; }, (e: unknown) => { this.failure = e; })
      .finally(() => { for (const wake of this.waiting.splice(0)) wake(); });
    return d.restarted ?? Promise.resolve();
  }

  /** Once the workload is over: a server still down is started again. */
  async settle(): Promise<void> {
    if (this.down) {
      this.down.acksNeeded = 0;
      await this.restartIfDue();
    }
    if (this.failure) throw this.failure;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.stop()));
  }
}
