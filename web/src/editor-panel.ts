// The rule editor: the operation's rule file in CodeMirror, diagnostics from /v1/check under
// their lines, and every diagnostic of the pack listed below.
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import type { Diagnostic, OperationSource } from './api.ts';
import { createRuleEditor, type RuleEditor } from './rule-editor.ts';

export function EditorPanel({ source, diagnostics, edited, onEdit }: {
  source: OperationSource; diagnostics: Diagnostic[]; edited: boolean; onEdit: (text: string | null) => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<RuleEditor | null>(null);
  const onEditRef = useRef(onEdit);
  onEditRef.current = onEdit;

  useEffect(() => {
    const e = createRuleEditor(host.current!, source.text, `Rule file ${source.path}`, (text) => onEditRef.current(text === source.text ? null : text));
    editor.current = e;
    return () => {
      e.view.destroy();
      editor.current = null;
    };
  }, [source]);

  useEffect(() => {
    editor.current?.showDiagnostics(diagnostics.filter((d) => d.file === source.path));
  }, [diagnostics, source]);

  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  return html`<div class="editor">
    <div class="editor-bar">
      <span><code>${source.path}</code> (version ${source.version})${edited ? html` <span class="badge badge-edited">edited, not saved</span>` : null}</span>
      <button type="button" disabled=${!edited} onClick=${() => { editor.current?.setText(source.text); onEdit(null); }}>Undo all edits</button>
    </div>
    <p class="muted small">Edits are checked as you type and the quote above is priced by the edited rule; nothing is written to the server. In the editor, Tab indents; Esc then Tab, or Ctrl-M then Tab, moves on.</p>
    <div ref=${host} data-testid="rule-editor" class="editor-host"></div>
    <div data-testid="diagnostics" class="diagnostics" aria-live="polite">
      <p class=${errors ? 'error' : 'ok'}>${errors || warnings ? `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}` : edited ? 'The edited pack checks clean.' : 'No diagnostics.'}</p>
      ${diagnostics.length ? html`<ul>${diagnostics.map((d) => html`<li class=${`diag diag-${d.severity}`}>
        ${d.file === source.path && d.line
          ? html`<button type="button" class="link" onClick=${() => editor.current?.goTo(d.line!, d.column ?? 1)} aria-label=${`Go to line ${d.line}, column ${d.column}`}><code>${d.file}:${d.line}:${d.column}</code></button>`
          : html`<code>${d.file ?? ''}${d.line ? `:${d.line}:${d.column}` : ''}</code>`}
        <strong>${d.severity}</strong>: ${d.message}${d.hint ? html` <span class="hint">— ${d.hint}</span>` : null}
      </li>`)}</ul>` : null}
    </div>
  </div>`;
}
