// The playground: an API key once per tab, then a pack and operation, a form from its input
// schema with a live quote and its explanation, the price matrix, the rule editor, an account.
import { html } from 'htm/preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { AccountPanel } from './account-panel.ts';
import { api, ApiError, forgetKey, saveKey, savedKey, type CheckResult, type Diagnostic, type InputSchema, type OperationSource, type Pack, type QuoteView } from './api.ts';
import { EditorPanel } from './editor-panel.ts';
import { ImpactPanel } from './impact-panel.ts';
import { initialValues, inputFrom, InputsForm, type Values } from './inputs-form.ts';
import { MatrixPanel } from './matrix-panel.ts';
import { QuotePanel } from './quote-panel.ts';
import { useRequest } from './use-request.ts';

interface OperationInfo { name: string; description: string | null }

function KeyGate({ message, onKey }: { message: string | null; onKey: (key: string) => void }) {
  const [key, setKey] = useState('');
  return html`<main class="gate">
    <h1>Credit rules playground</h1>
    <form onSubmit=${(e: Event) => { e.preventDefault(); if (key.trim()) onKey(key.trim()); }}>
      <label for="api-key">API key</label>
      <p class="muted small" id="api-key-help">Kept for this tab only. A quote key quotes; the rule editor needs an admin key (the server prints one at first start).</p>
      <input id="api-key" data-testid="api-key" type="password" autocomplete="off" aria-describedby="api-key-help" value=${key}
        onInput=${(e: Event) => setKey((e.target as HTMLInputElement).value)} />
      <button type="submit">Use this key</button>
      ${message ? html`<p class="error" role="alert">${message}</p>` : null}
    </form>
  </main>`;
}

function versionStatus(pack: Pack, now: number): { version: string; effective: string; status: string }[] {
  const started = pack.versions.filter((v) => Date.parse(v.effective) <= now);
  const live = started.reduce<string | null>((best, v) => (best === null || Date.parse(v.effective) >= Date.parse(pack.versions.find((x) => x.version === best)!.effective) ? v.version : best), null);
  return pack.versions.map((v) => ({ ...v, status: v.version === live ? 'live' : Date.parse(v.effective) > now ? 'scheduled' : 'past' }));
}

export function App() {
  const [key, setKey] = useState(savedKey());
  const [keyMessage, setKeyMessage] = useState<string | null>(null);
  const [packs, setPacks] = useState<Pack[] | null>(null);
  const [packName, setPackName] = useState<string | null>(null);
  const [operations, setOperations] = useState<OperationInfo[]>([]);
  const [opName, setOpName] = useState<string | null>(null);
  const [schema, setSchema] = useState<InputSchema | null>(null);
  const [values, setValues] = useState<Values>({});
  const [source, setSource] = useState<OperationSource | null>(null);
  const [sourceNote, setSourceNote] = useState<string | null>(null);
  const [edited, setEdited] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  const fail = (e: unknown) => {
    if (e instanceof ApiError && e.status === 401) {
      forgetKey();
      setKey(null);
      setKeyMessage(`The server refused this key: ${e.message}`);
    } else setLoadError(e instanceof Error ? e.message : String(e));
  };

  useEffect(() => {
    if (!key) return;
    api<{ packs: Pack[] }>('GET', '/v1/packs').then((r) => {
      setPacks(r.packs);
      setPackName((p) => p ?? r.packs[0]?.name ?? null);
    }, fail);
  }, [key]);

  // Each load below is dropped when the pack or operation changed before it answered.
  useEffect(() => {
    if (!key || !packName) return;
    let current = true;
    setOperations([]);
    setOpName(null);
    setLoadError(null);
    api<{ operations: OperationInfo[] }>('GET', `/v1/packs/${encodeURIComponent(packName)}/operations`).then((r) => {
      if (!current) return;
      setOperations(r.operations);
      setOpName(r.operations[0]?.name ?? null);
    }, (e) => current && fail(e));
    return () => { current = false; };
  }, [key, packName]);

  useEffect(() => {
    setSchema(null);
    setSource(null);
    setEdited(null);
    if (!key || !packName || !opName) return;
    let current = true;
    setLoadError(null);
    const base = `/v1/packs/${encodeURIComponent(packName)}/operations/${encodeURIComponent(opName)}`;
    api<InputSchema>('GET', `${base}/schema`).then((s) => {
      if (!current) return;
      setSchema(s);
      setValues(initialValues(s));
    }, (e) => current && fail(e));
    api<OperationSource>('GET', `${base}/source`).then((s) => { if (current) { setSource(s); setSourceNote(null); } }, (e) => {
      if (!current) return;
      if (e instanceof ApiError && e.status === 403) setSourceNote('The rule editor needs an admin key.');
      else fail(e);
    });
    return () => { current = false; };
  }, [key, packName, opName]);

  const input = useMemo(() => (schema ? inputFrom(schema, values) : {}), [schema, values]);
  const ready = key && packName && opName && schema;
  const quoteReq = useRequest<{ quote: QuoteView | null; error: string | null; diagnostics: Diagnostic[] }>(
    ready ? JSON.stringify([packName, opName, input, edited]) : null,
    async (signal) => {
      if (edited === null || !source) {
        const quote = await api<QuoteView>('POST', '/v1/quotes', { pack: packName, operation: opName, input, explain: true }, signal);
        return { quote, error: null, diagnostics: [] };
      }
      const r = await api<CheckResult>('POST', '/v1/check', { pack: packName, files: [{ path: source.path, text: edited }], quote: { operation: opName, input } }, signal);
      const error = r.errors ? `The edited rule has ${r.errors === 1 ? '1 error: no quote until it is' : `${r.errors} errors: no quote until they are`} fixed (see the rule editor).`
        : r.quote_error ? r.quote_error.message : null;
      return { quote: r.quote ?? null, error, diagnostics: r.diagnostics };
    });
  useEffect(() => {
    if (quoteReq.error instanceof ApiError && quoteReq.error.status === 401) fail(quoteReq.error);
  }, [quoteReq.error]);

  if (!key) return html`<${KeyGate} message=${keyMessage} onKey=${(k: string) => { saveKey(k); setKeyMessage(null); setKey(k); }} />`;
  const pack = packs?.find((p) => p.name === packName);
  const op = operations.find((o) => o.name === opName);
  const quoteError = quoteReq.error ? quoteReq.error.message : quoteReq.data?.error ?? null;

  return html`<div class="page">
    <header class="top">
      <h1>Credit rules playground</h1>
      <button type="button" class="link" onClick=${() => { forgetKey(); setKey(null); setPacks(null); }}>Forget the API key</button>
    </header>
    ${loadError ? html`<p class="error" role="alert">${loadError}</p>` : null}
    <main class="grid">
      <div class="column">
      <section class="card" aria-labelledby="h-pack">
        <h2 id="h-pack">Pack and operation</h2>
        <div class="field"><label for="pack-select">Pack</label>
          <select id="pack-select" data-testid="pack-select" value=${packName ?? ''} onChange=${(e: Event) => setPackName((e.target as HTMLSelectElement).value)}>
            ${(packs ?? []).map((p) => html`<option value=${p.name} selected=${p.name === packName}>${p.title ? `${p.title} (${p.name})` : p.name}</option>`)}
          </select>
        </div>
        ${pack ? html`<p class="small">${pack.description ?? ''} <span class="muted">Unit: ${pack.unit}.</span></p>
          <ul class="versions" aria-label="Versions">${versionStatus(pack, Date.now()).map((v) => html`<li><span class=${`badge badge-${v.status}`}>${v.status}</span> ${v.version} <span class="muted">from ${v.effective.slice(0, 10)}</span></li>`)}</ul>` : null}
        <div class="field"><label for="operation-select">Operation</label>
          <select id="operation-select" data-testid="operation-select" value=${opName ?? ''} onChange=${(e: Event) => setOpName((e.target as HTMLSelectElement).value)}>
            ${operations.map((o) => html`<option value=${o.name} selected=${o.name === opName}>${o.name}</option>`)}
          </select>
        </div>
        ${op?.description ? html`<p class="small" data-testid="operation-description">${op.description}</p>` : null}
        <h3>Inputs</h3>
        ${schema ? html`<${InputsForm} schema=${schema} values=${values} onChange=${setValues} />` : html`<p class="muted">Loading…</p>`}
      </section>
      </div>
      <div class="column">
      <section class="card" aria-labelledby="h-quote">
        <h2 id="h-quote">Quote</h2>
        <${QuotePanel} quote=${quoteReq.data?.quote ?? null} error=${quoteError} edited=${edited !== null} busy=${quoteReq.busy} />
      </section>
      <section class="card" aria-labelledby="h-matrix">
        <h2 id="h-matrix">Price of every option</h2>
        ${ready ? html`<${MatrixPanel} pack=${packName} operation=${opName} schema=${schema} input=${input} />` : null}
      </section>
      </div>
      <section class="card wide" aria-labelledby="h-editor">
        <h2 id="h-editor">Rule editor</h2>
        ${source ? html`<${EditorPanel} source=${source} diagnostics=${quoteReq.data?.diagnostics ?? []} edited=${edited !== null} onEdit=${setEdited} />
            <${ImpactPanel} pack=${packName} path=${source.path} text=${edited} />`
          : html`<p class="muted">${sourceNote ?? 'Loading…'}</p>`}
      </section>
      <section class="card wide" aria-labelledby="h-account">
        <h2 id="h-account">Account</h2>
        <${AccountPanel} />
      </section>
    </main>
  </div>`;
}
