// A rule file that isn't valid YAML defines nothing, so every name it defines would be
// "unknown" wherever another file uses it. Those follow-on errors — for names the unreadable
// file's text does mention — are dropped and replaced by one warning that says which file to
// fix first. A name the file doesn't mention is still a mistake of its own, and is reported.
import { RuleError } from '../../grammar/diagnostic.ts';

/** Codes of diagnostics that a definition (or use) missing with the file causes; each quotes the name. */
const MISSING_DEFINITION = new Set(['unknown-name', 'unknown-function', 'unknown-output', 'unused-cell']);

export interface UnreadableFile {
  file: string;
  text: string;
}

/** Files whose YAML couldn't be parsed, as diagnostics show them, with their text. */
export function unreadableFiles(diagnostics: readonly RuleError[]): UnreadableFile[] {
  const files = new Map<string, string>();
  for (const d of diagnostics) {
    if (d.code === 'yaml-syntax' && d.source) files.set(d.source.file, d.source.fileText ?? d.source.text);
  }
  return [...files].map(([file, text]) => ({ file, text }));
}

function mentions(text: string, name: string): boolean {
  return new RegExp(`(^|[^A-Za-z0-9_])${name.replace(/[^A-Za-z0-9_]/g, '')}([^A-Za-z0-9_]|$)`).test(text);
}

export function withoutMissingNames(diagnostics: readonly RuleError[], unreadable: readonly UnreadableFile[]): RuleError[] {
  if (!unreadable.length) return [...diagnostics];
  const kept: RuleError[] = [];
  const dropped: { d: RuleError; name: string; file: string }[] = [];
  for (const d of diagnostics) {
    const name = MISSING_DEFINITION.has(d.code) ? d.message.match(/'([A-Za-z_][A-Za-z0-9_]*)'/)?.[1] : undefined;
    const couldBeIn = name ? unreadable.find((u) => u.file !== d.position?.file && mentions(u.text, name)) : undefined;
    if (couldBeIn) dropped.push({ d, name: name!, file: couldBeIn.file });
    else kept.push(d);
  }
  const byPlace = [...dropped].sort((a, b) => (a.d.position?.line ?? 0) - (b.d.position?.line ?? 0) || (a.d.position?.col ?? 0) - (b.d.position?.col ?? 0));
  const first = byPlace.find((x) => x.d.code !== 'unused-cell') ?? byPlace[0];
  if (!first) return kept;
  const { d, name, file } = first;
  const others = dropped.length - 1;
  kept.push(new RuleError('unreadable-file',
    `'${name}' may be defined in ${file}, which couldn't be read${others ? ` (${others} more follow-on problem${others > 1 ? 's' : ''} like this not shown)` : ''}`,
    d.source, d.span, `fix the YAML error in ${file} first, then run credits check again`, 'warning'));
  return kept;
}
