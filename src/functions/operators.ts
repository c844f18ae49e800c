// The spreadsheet operators are their functions written infix: `a ^ n` is POWER(a, n),
// `a & b` is CONCAT(a, b), `x%` is x / 100. Every compiler evaluates them as that
// equivalent, so each has one meaning and one implementation.
import type { Expr } from '../../grammar/ast.ts';

const FUNCTION_OF = { '^': 'POWER', '&': 'CONCAT' } as const;

/** The equivalent of a spreadsheet operator in the core language, or undefined for any other node. */
export function spreadsheetEquivalent(e: Expr): Expr | undefined {
  if (e.kind === 'binary' && (e.op === '^' || e.op === '&')) {
    return { kind: 'call', callee: FUNCTION_OF[e.op], calleeSpan: e.opSpan, args: [e.left, e.right], span: e.span };
  }
  if (e.kind === 'unary' && e.op === '%') {
    const sign = { start: e.span.end - 1, end: e.span.end };
    return { kind: 'binary', op: '/', left: e.operand, right: { kind: 'number', value: '100', text: '100', span: sign }, opSpan: sign, span: e.span };
  }
  return undefined;
}
