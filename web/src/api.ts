// The API as the playground calls it: a bearer key kept for this tab only (sessionStorage),
// JSON in and out, and problem+json turned into an ApiError with its detail.
const KEY = 'credits-playground-api-key';

export function savedKey(): string | null {
  return sessionStorage.getItem(KEY);
}
export function saveKey(key: string): void {
  sessionStorage.setItem(KEY, key);
}
export function forgetKey(): void {
  sessionStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly hint?: string) {
    super(message);
  }
}

export async function api<T>(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${savedKey() ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, data.code ?? 'error', data.detail ?? `${res.status} ${res.statusText}`, data.hint);
  return data as T;
}

export interface Pack {
  name: string;
  title?: string;
  description?: string;
  unit: string;
  versions: { version: string; effective: string }[];
  operations: string[];
  grant_kinds: string[];
}

export interface InputSchema {
  type?: string;
  enum?: (string | number)[];
  minimum?: number;
  maximum?: number;
  default?: unknown;
  description?: string;
  items?: InputSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, InputSchema>;
  required?: string[];
}

export interface TraceEntry {
  name: string;
  kind?: string;
  formula?: string;
  value: unknown;
  note?: string;
  [mark: string]: unknown;
}

export interface Rejection {
  code?: string;
  message: string;
}

export interface QuoteView {
  version: string;
  outputs: Record<string, unknown>;
  amount?: string | null;
  rejections: Rejection[];
  trace?: TraceEntry[];
}

export interface MatrixRow {
  values: Record<string, string | number | boolean>;
  outputs?: Record<string, unknown>;
  amount?: string | null;
  rejections?: Rejection[];
  error?: { code: string; message: string };
}

export interface Matrix {
  version: string;
  vary: string[];
  options: Record<string, (string | number | boolean)[]>;
  rows: MatrixRow[];
}

export interface Diagnostic {
  file: string | null;
  line: number | null;
  column: number | null;
  end_line: number | null;
  end_column: number | null;
  severity: 'error' | 'warning';
  code: string;
  message: string;
  hint?: string;
}

export interface CheckResult {
  errors: number;
  warnings: number;
  diagnostics: Diagnostic[];
  quote?: QuoteView | null;
  quote_error?: { code: string; message: string; hint?: string };
}

export interface OperationSource {
  version: string;
  path: string;
  text: string;
}

export interface Account {
  id: string;
  pack: string;
  unit: string;
  plan: string | null;
  balance: string;
  available: string;
  balances: { kind: string; remaining: string; grants: { id: string; remaining: string; expires_at: string | null }[] }[];
}

export interface Entry {
  seq: number;
  at: string;
  kind: string;
  amount: string;
  balance_change: string;
  grant: string | null;
  charge: string | null;
  memo: string | null;
}
