// A form generated from an operation's input JSON Schema: enums as selects, booleans as
// toggles, lists of options as checkbox groups, numbers with their min and max, defaults filled.
import { html } from 'htm/preact';
import type { InputSchema } from './api.ts';

export type Values = Record<string, unknown>;

/** The form's first values: each input's default, or empty. */
export function initialValues(schema: InputSchema): Values {
  const out: Values = {};
  for (const [name, s] of Object.entries(schema.properties ?? {})) {
    if (s.default !== undefined) out[name] = s.type === 'number' || s.type === 'integer' ? String(s.default) : s.default;
    else if (s.type === 'array') out[name] = [];
    else if (s.type === 'boolean') out[name] = false;
    else if (s.enum) out[name] = s.enum[0];
    else out[name] = '';
  }
  return out;
}

/**
 * The request's input from the form. An empty optional field is left out; a number field
 * that doesn't read as a number is sent as typed, so the API names what is wrong with it.
 */
export function inputFrom(schema: InputSchema, values: Values): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const required = new Set(schema.required ?? []);
  for (const [name, s] of Object.entries(schema.properties ?? {})) {
    const v = values[name];
    if (v === undefined || (v === '' && !required.has(name))) continue;
    if ((s.type === 'number' || s.type === 'integer') && typeof v === 'string') {
      const n = Number(v);
      out[name] = v.trim() !== '' && Number.isFinite(n) ? n : v;
    } else if (s.type === 'object' && typeof v === 'string') {
      try { out[name] = JSON.parse(v); } catch { out[name] = v; }
    } else out[name] = v;
  }
  return out;
}

function label(name: string, s: InputSchema) {
  const range = [s.minimum !== undefined ? `min ${s.minimum}` : '', s.maximum !== undefined ? `max ${s.maximum}` : ''].filter(Boolean).join(', ');
  return html`<span class="field-name">${name}</span>${range ? html` <span class="field-range">(${range})</span>` : null}`;
}

function Field({ name, s, value, required, set }: { name: string; s: InputSchema; value: unknown; required: boolean; set: (v: unknown) => void }) {
  const id = `input-${name}`;
  const help = s.description ? html`<small id=${`${id}-help`} class="field-help">${s.description}</small>` : null;
  const described = s.description ? `${id}-help` : undefined;
  if (s.enum) {
    return html`<div class="field"><label for=${id}>${label(name, s)}</label>
      <select id=${id} data-testid=${id} aria-describedby=${described} value=${String(value)}
        onChange=${(e: Event) => { const t = (e.target as HTMLSelectElement).value; set(s.enum!.find((o) => String(o) === t)); }}>
        ${s.enum.map((o) => html`<option value=${String(o)} selected=${String(o) === String(value)}>${String(o)}</option>`)}
      </select>${help}</div>`;
  }
  if (s.type === 'boolean') {
    return html`<div class="field field-toggle"><label for=${id}>
      <input type="checkbox" role="switch" id=${id} data-testid=${id} aria-describedby=${described} checked=${value === true}
        onChange=${(e: Event) => set((e.target as HTMLInputElement).checked)} />
      ${label(name, s)}</label>${help}</div>`;
  }
  if (s.type === 'array' && s.items?.enum) {
    const chosen = Array.isArray(value) ? value : [];
    const limits = [s.minItems !== undefined ? `at least ${s.minItems}` : '', s.maxItems !== undefined ? `at most ${s.maxItems}` : ''].filter(Boolean).join(', ');
    return html`<fieldset class="field field-list" data-testid=${id} aria-describedby=${described}>
      <legend>${name}${limits ? html` <span class="field-range">(${limits})</span>` : null}</legend>
      ${s.items.enum.map((o) => html`<label class="chip"><input type="checkbox" checked=${chosen.includes(o)}
        onChange=${(e: Event) => set((e.target as HTMLInputElement).checked ? [...chosen, o] : chosen.filter((c) => c !== o))} /> ${String(o)}</label>`)}
      ${help}</fieldset>`;
  }
  if (s.type === 'number' || s.type === 'integer') {
    return html`<div class="field"><label for=${id}>${label(name, s)}</label>
      <input id=${id} data-testid=${id} type="number" inputmode="decimal" required=${required} aria-describedby=${described}
        min=${s.minimum} max=${s.maximum} step=${s.type === 'integer' ? 1 : 'any'} value=${String(value ?? '')}
        onInput=${(e: Event) => set((e.target as HTMLInputElement).value)} />${help}</div>`;
  }
  if (s.type === 'array' || s.type === 'object') {
    const text = typeof value === 'string' ? value : JSON.stringify(value ?? (s.type === 'array' ? [] : {}));
    return html`<div class="field"><label for=${id}>${label(name, s)} <span class="field-range">(JSON)</span></label>
      <textarea id=${id} data-testid=${id} rows="2" aria-describedby=${described} value=${text}
        onInput=${(e: Event) => { const t = (e.target as HTMLTextAreaElement).value; try { set(JSON.parse(t)); } catch { set(t); } }}></textarea>${help}</div>`;
  }
  return html`<div class="field"><label for=${id}>${label(name, s)}</label>
    <input id=${id} data-testid=${id} type="text" required=${required} aria-describedby=${described} value=${String(value ?? '')}
      onInput=${(e: Event) => set((e.target as HTMLInputElement).value)} />${help}</div>`;
}

export function InputsForm({ schema, values, onChange }: { schema: InputSchema; values: Values; onChange: (v: Values) => void }) {
  const required = new Set(schema.required ?? []);
  const entries = Object.entries(schema.properties ?? {});
  if (entries.length === 0) return html`<p class="muted">This operation takes no inputs.</p>`;
  return html`<form class="inputs" onSubmit=${(e: Event) => e.preventDefault()}>
    ${entries.map(([name, s]) => html`<${Field} key=${name} name=${name} s=${s} value=${values[name]} required=${required.has(name)}
      set=${(v: unknown) => onChange({ ...values, [name]: v })} />`)}
  </form>`;
}
