// The requests an impact diff prices twice: read from a JSON Lines corpus (one request a
// line) or from the ledger's recorded charges (ledger-history.ts).
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { RuleError } from '../../grammar/diagnostic.ts';

export interface ImpactRequest {
  operation: string;
  input: Record<string, unknown>;
  /** The request's time: picks the version in force on a side that isn't pinned to one. */
  at?: Date;
  account?: string;
  /** Where it came from, for people: `corpus.jsonl:12`, `charge ch_…`. */
  where: string;
}

const FIELDS = new Set(['operation', 'input', 'at', 'account']);

/** Reads a corpus: each non-blank line `{"operation", "input", "at"?, "account"?}`. */
export function readCorpus(path: string, label = path): ImpactRequest[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code ?? (e as Error).message;
    throw new RuleError('unreadable-corpus', `cannot read the requests file ${label}: ${why}`, undefined, undefined,
      'give a JSON Lines corpus (e.g. rules/pixai/tests/corpus.jsonl), an SQLite ledger file, a postgres:// URL, or `ledger`');
  }
  return parseCorpus(text, label);
}

export function parseCorpus(text: string, file: string): ImpactRequest[] {
  const requests: ImpactRequest[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    // The error's source is the line itself after i empty lines, so its position is file:line:col
    // (made only for an error: a long corpus would pay for it on every line).
    const bad = (message: string, col = 1, hint?: string): RuleError =>
      new RuleError('bad-corpus-line', message, { file, text: '\n'.repeat(i) + line }, { start: i + col - 1, end: i + Math.max(col, line.length) }, hint);
    const where = `${file}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      const at = /position (\d+)/.exec((e as Error).message);
      throw bad(`not valid JSON: ${(e as Error).message}`, at ? Number(at[1]) + 1 : 1);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw bad(`a request must be a JSON object {"operation", "input", "at"?, "account"?}`);
    }
    const o = value as Record<string, unknown>;
    const at = (key: string) => Math.max(1, line.indexOf(`"${key}"`) + 1);
    for (const k of Object.keys(o)) {
      if (!FIELDS.has(k)) throw bad(`unknown field '${k}'`, at(k), 'a request has the fields operation, input, at and account');
    }
    if (typeof o.operation !== 'string' || o.operation === '') throw bad(`"operation" must be the name of an operation, as a string`, at('operation'));
    if (typeof o.input !== 'object' || o.input === null || Array.isArray(o.input)) throw bad(`"input" must be a JSON object of the operation's inputs`, at('input'));
    const request: ImpactRequest = { operation: o.operation, input: o.input as Record<string, unknown>, where };
    if (o.at !== undefined) {
      const time = typeof o.at === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(o.at) ? new Date(o.at) : undefined;
      if (!time || Number.isNaN(time.getTime())) throw bad(`"at" must be an ISO 8601 time such as 2026-03-01T12:00:00Z, got ${JSON.stringify(o.at)}`, at('at'));
      request.at = time;
    }
    if (o.account !== undefined) {
      if (typeof o.account !== 'string' || o.account === '') throw bad(`"account" must be an account id, as a string`, at('account'));
      request.account = o.account;
    }
    requests.push(request);
  });
  return requests;
}

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//.test(location);
}

/** Whether a file is an SQLite database (its 16-byte header) rather than a JSON Lines corpus. */
export function isSqliteFile(path: string): boolean {
  if (!existsSync(path) || !statSync(path).isFile()) return false;
  const fd = openSync(path, 'r');
  try {
    const header = Buffer.alloc(16);
    return readSync(fd, header, 0, 16, 0) === 16 && header.toString('latin1') === 'SQLite format 3\0';
  } finally {
    closeSync(fd);
  }
}
