// A CodeMirror editor for one rule file, with each diagnostic shown in a box under the line
// it belongs to (and its span underlined). Positions map through later edits until the next check.
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { indentUnit } from '@codemirror/language';
import { EditorState, StateEffect, StateField, type Extension, type Range } from '@codemirror/state';
import { Decoration, EditorView, keymap, lineNumbers, WidgetType, type DecorationSet } from '@codemirror/view';
import type { Diagnostic } from './api.ts';
import { ruleHighlighting, ruleLanguage } from './rule-language.ts';

class DiagnosticWidget extends WidgetType {
  constructor(readonly d: Diagnostic) {
    super();
  }
  override eq(other: DiagnosticWidget): boolean {
    return JSON.stringify(other.d) === JSON.stringify(this.d);
  }
  toDOM(): HTMLElement {
    const box = document.createElement('div');
    box.className = `cm-diagnostic cm-diagnostic-${this.d.severity}`;
    box.setAttribute('role', 'note');
    box.dataset.line = String(this.d.line);
    const head = document.createElement('strong');
    head.textContent = `${this.d.severity} (line ${this.d.line}, column ${this.d.column}): `;
    box.append(head, this.d.message);
    if (this.d.hint) {
      const hint = document.createElement('div');
      hint.className = 'cm-diagnostic-hint';
      hint.textContent = this.d.hint;
      box.append(hint);
    }
    return box;
  }
}

const setDiagnostics = StateEffect.define<Diagnostic[]>();

function decorations(state: EditorState, diagnostics: Diagnostic[]): DecorationSet {
  const ranges: Range<Decoration>[] = [];
  for (const d of diagnostics) {
    if (d.line === null || d.line > state.doc.lines) continue;
    const line = state.doc.line(d.line);
    const from = Math.min(line.from + (d.column ?? 1) - 1, line.to);
    let to = from;
    if (d.end_line !== null && d.end_column !== null && d.end_line <= state.doc.lines) {
      to = Math.min(state.doc.line(d.end_line).from + d.end_column - 1, state.doc.length);
    }
    if (to > from) ranges.push(Decoration.mark({ class: `cm-underline-${d.severity}` }).range(from, to));
    ranges.push(Decoration.widget({ widget: new DiagnosticWidget(d), block: true, side: 1 }).range(line.to));
  }
  return Decoration.set(ranges, true);
}

const diagnosticField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(deco, tr) {
    for (const e of tr.effects) if (e.is(setDiagnostics)) return decorations(tr.state, e.value);
    return deco.map(tr.changes);
  },
  provide: (f) => EditorView.decorations.from(f),
});

export interface RuleEditor {
  view: EditorView;
  setText(text: string): void;
  showDiagnostics(diagnostics: Diagnostic[]): void;
  /** Puts the cursor at a line and column (1-based), scrolled into view, and focuses the editor. */
  goTo(line: number, column: number): void;
}

export function createRuleEditor(parent: HTMLElement, text: string, label: string, onChange: (text: string) => void): RuleEditor {
  const extensions: Extension[] = [
    lineNumbers(),
    history(),
    indentUnit.of('  '),
    keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
    ruleLanguage,
    ruleHighlighting,
    diagnosticField,
    EditorView.lineWrapping,
    EditorView.contentAttributes.of({ 'aria-label': label, 'aria-multiline': 'true' }),
    EditorView.updateListener.of((u) => {
      if (u.docChanged) onChange(u.state.doc.toString());
    }),
  ];
  const view = new EditorView({ parent, state: EditorState.create({ doc: text, extensions }) });
  return {
    view,
    setText(next) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: next }, effects: setDiagnostics.of([]) });
    },
    showDiagnostics(diagnostics) {
      view.dispatch({ effects: setDiagnostics.of(diagnostics) });
    },
    goTo(line, column) {
      const l = view.state.doc.line(Math.min(Math.max(1, line), view.state.doc.lines));
      const pos = Math.min(l.from + column - 1, l.to);
      view.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: 'center' }) });
      view.focus();
    },
  };
}
