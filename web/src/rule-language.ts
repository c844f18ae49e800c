// Highlighting for rule files: YAML's keys and comments, and inside values the formula
// language's tokens (grammar/lexer.ts): numbers with `_` and `%`, quoted text, the keywords
// and/or/not/in/true/false, FUNCTION( calls, operators and names.
import { HighlightStyle, StreamLanguage, syntaxHighlighting } from '@codemirror/language';
import { tags } from '@lezer/highlight';

interface State {
  /** Whether the line's key (before `:`) is behind us. */
  inValue: boolean;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'true', 'false']);

export const ruleLanguage = StreamLanguage.define<State>({
  name: 'credit-rules',
  startState: () => ({ inValue: false }),
  token(stream, state) {
    if (stream.sol()) state.inValue = false;
    if (stream.eatSpace()) return null;
    // A YAML comment starts a line or follows a space.
    if (stream.peek() === '#' && (stream.sol() || /\s/.test(stream.string.charAt(stream.pos - 1)))) {
      stream.skipToEnd();
      return 'comment';
    }
    if (!state.inValue) {
      if (stream.match(/^-(?=\s|$)/)) return 'punctuation';
      if (stream.match(/^[A-Za-z_][\w.-]*(?=\s*:(\s|$))/)) return 'propertyName';
      if (stream.match(/^:(?=\s|$)/)) {
        state.inValue = true;
        return 'punctuation';
      }
      state.inValue = true;
    }
    if (stream.match(/^\d+(?:_\d+)*(?:\.\d+(?:_\d+)*)?(?:[eE][+-]?\d+)?%?/)) return 'number';
    if (stream.match(/^'(?:[^'\\]|\\.)*'?/) || stream.match(/^"(?:[^"\\]|\\.)*"?/)) return 'string';
    const word = stream.match(/^[A-Za-z_][A-Za-z0-9_.]*/) as RegExpMatchArray | null;
    if (word) {
      if (KEYWORDS.has(word[0].toLowerCase())) return 'keyword';
      if (stream.peek() === '(') return 'function';
      return 'variableName';
    }
    if (stream.match(/^(==|!=|<>|<=|>=|[<>+\-*/^&%])/)) return 'operator';
    if (stream.match(/^[()[\]{},:|>]/)) return 'bracket';
    stream.next();
    return null;
  },
  tokenTable: { function: tags.function(tags.variableName) },
});

const style = HighlightStyle.define([
  { tag: tags.comment, color: '#5c6773', fontStyle: 'italic' },
  { tag: tags.propertyName, color: '#0b5cad', fontWeight: '600' },
  { tag: tags.number, color: '#8a3a00' },
  { tag: tags.string, color: '#1d6b2f' },
  { tag: tags.keyword, color: '#7a1fa2', fontWeight: '600' },
  { tag: tags.function(tags.variableName), color: '#9c1c4b', fontWeight: '600' },
  { tag: tags.operator, color: '#374151' },
  { tag: tags.variableName, color: '#111827' },
  { tag: tags.punctuation, color: '#6b7280' },
  { tag: tags.bracket, color: '#6b7280' },
]);

export const ruleHighlighting = syntaxHighlighting(style);
