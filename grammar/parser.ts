// The grammar, as a chevrotain parser with embedded actions that build the AST directly.
// Precedence is layered, loosest first: expression (or) → conjunction (and) → negation (not)
// → comparison → concatenation (&) → sum → product → signed (unary minus) → power (^)
// → percent (postfix %) → postfix → atom, as in spreadsheets except that `-2^2` and
// `2^3^2`, which spreadsheets and mathematics read differently, are errors.
// AST building runs inside ACTION so that chevrotain's grammar recording (which calls
// each rule once with placeholder values) never touches a placeholder.

import { EmbeddedActionsParser, EOF, tokenMatcher, type IToken, type TokenType } from 'chevrotain';
import { children } from './ast.ts';
import type { BinaryOp, Expr, LambdaParam, RecordField, Span, UnaryOp, UnaryTest } from './ast.ts';
import {
  AdditiveOperator, allTokens, Ampersand, And, Arrow, Caret, Colon, Comma, ComparisonOperator, Dot, DotDot, False, Identifier, In,
  LBrace, LBracket, LParen, Minus, MultiplicativeOperator, Not, NumberLiteral, Or, Percent, RBrace, RBracket, RParen,
  StringLiteral, tokenSpan, True,
} from './lexer.ts';
import type { RuleError } from './diagnostic.ts';
import { MAX_NUMBER_DIGITS, numberValue, stringValue } from './literals.ts';
import * as errors from './syntax-errors.ts';
import type { SyntaxContext } from './syntax-errors.ts';

type CompareOp = Extract<BinaryOp, '==' | '!=' | '<' | '<=' | '>' | '>='>;

/** `<>` is the spreadsheet spelling of `!=`. */
const compareOp = (image: string): CompareOp => (image === '<>' ? '!=' : image as CompareOp);

export class FormulaParser extends EmbeddedActionsParser {
  private ctx!: SyntaxContext;
  private maxDepth = 0;
  /** Open brackets and prefix operators around the token being parsed. */
  private depth = 0;
  /** Height of each node built so far (leaves are 0 and not stored). */
  private heights = new WeakMap<Expr, number>();

  /**
   * `validate`: chevrotain's checks of the grammar itself (ambiguities, left recursion), about
   * a third of a CLI command's start-up. The grammar is fixed at build time, so the shared
   * instance skips them and test/grammar/grammar-valid.test.ts builds one that runs them.
   */
  constructor(options: { validate: boolean } = { validate: false }) {
    // One token of lookahead; the few longer decisions scan ahead in GATEs. With more, a bad
    // argument or condition would be rejected at its first token rather than at the wrong one,
    // and each error would cost chevrotain a walk over all lookahead paths to word a message
    // we don't use.
    super(allTokens, { maxLookahead: 1, skipValidations: !options.validate });
    this.performSelfAnalysis();
  }

  /** Points the (reused) parser at a new text; then call a rule, e.g. `expression()`. */
  begin(ctx: SyntaxContext, maxDepth: number): void {
    this.input = ctx.tokens;
    this.ctx = ctx;
    this.maxDepth = maxDepth;
    this.depth = 0;
    this.heights = new WeakMap();
  }

  expression = this.RULE('expression', (): Expr => this.leftAssociative(Or, (i) => this.subrule(i, this.conjunction)));

  conjunction = this.RULE('conjunction', (): Expr => this.leftAssociative(And, (i) => this.subrule(i, this.negation)));

  negation = this.RULE('negation', (): Expr =>
    this.OR([
      // `NOT(x)` is the spreadsheet function, an atom; `not x` and `not (x)` with a space are the word.
      { GATE: () => !this.functionWordAhead(), IGNORE_AMBIGUITIES: true,
        ALT: () => this.prefix('not', Not, () => this.SUBRULE(this.negation)) },
      { ALT: () => this.SUBRULE(this.comparison) },
    ]),
  );

  /** Comparisons don't chain: `a < b < c` is an error rather than `(a < b) < c`. */
  comparison = this.RULE('comparison', (): Expr => {
    const first = this.LA(1);
    const left = this.SUBRULE(this.concatenation);
    const compared = this.OPTION(() =>
      this.OR([
        { ALT: () => {
          const op = this.CONSUME(ComparisonOperator);
          const right = this.SUBRULE2(this.concatenation);
          return this.ACTION(() => this.binary(compareOp(op.image), left, right, op, first));
        } },
        { ALT: () => {
          const op = this.CONSUME(In);
          const right = this.SUBRULE3(this.concatenation);
          return this.ACTION(() => this.binary('in', left, right, op, first));
        } },
        { ALT: () => {
          const not = this.CONSUME(Not);
          const op = this.expect(In, (found) => errors.expectedInAfterNot(not, found, this.ctx));
          const right = this.SUBRULE4(this.concatenation);
          return this.ACTION(() => {
            const test = this.binary('in', left, right, op, first);
            return this.node({ kind: 'unary', op: 'not', operand: test, span: test.span }, not);
          });
        } },
      ]),
    );
    this.ACTION(() => {
      if (this.comparisonAhead()) throw errors.chainedComparison(this.LA(1), this.ctx);
    });
    return compared ?? left;
  });

  /** `'v' & version`: text joined, looser than `+` as in spreadsheets. */
  concatenation = this.RULE('concatenation', (): Expr =>
    this.leftAssociative(Ampersand, (i) => this.subrule(i, this.sum)),
  );

  sum = this.RULE('sum', (): Expr => this.leftAssociative(AdditiveOperator, (i) => this.subrule(i, this.product)));

  product = this.RULE('product', (): Expr =>
    this.leftAssociative(MultiplicativeOperator, (i) => this.subrule(i, this.signed)),
  );

  signed = this.RULE('signed', (): Expr =>
    this.OR([
      { ALT: () => {
        const minus = this.LA(1);
        const negated = this.prefix('-', Minus, () => this.SUBRULE(this.signed));
        this.ACTION(() => {
          // `-2^2` is 4 in spreadsheets and -4 in mathematics: the PM says which.
          const operand = (negated as Extract<Expr, { kind: 'unary' }>).operand;
          if (operand.kind === 'binary' && operand.op === '^' && operand.span.start === this.tokenAfter(minus).startOffset) {
            throw errors.negatedPower(minus, operand, this.ctx);
          }
        });
        return negated;
      } },
      { ALT: () => this.SUBRULE(this.power) },
    ]),
  );

  /** `base ^ exponent`; the exponent may be negative (`2^-1`). Powers don't chain: `2^3^2` is an error. */
  power = this.RULE('power', (): Expr => {
    const first = this.LA(1);
    const base = this.SUBRULE(this.percent);
    const raised = this.OPTION(() => {
      const op = this.CONSUME(Caret);
      const exponent = this.SUBRULE(this.exponent);
      return this.ACTION(() => this.binary('^', base, exponent, op, first));
    });
    this.ACTION(() => {
      if (tokenMatcher(this.LA(1), Caret)) throw errors.chainedPower(this.LA(1), this.ctx);
    });
    return raised ?? base;
  });

  /** An exponent may be negated (`2^-1`) but not itself a power. */
  exponent = this.RULE('exponent', (): Expr =>
    this.OR([
      { ALT: () => this.prefix('-', Minus, () => this.SUBRULE(this.exponent)) },
      { ALT: () => this.SUBRULE(this.percent) },
    ]),
  );

  /** `rate%`, `(1 + 2)%`, `10 %`: divided by 100, as in spreadsheets (`20%` alone is a number literal). */
  percent = this.RULE('percent', (): Expr => {
    const first = this.LA(1);
    let operand = this.SUBRULE(this.postfix);
    this.MANY(() => {
      const sign = this.CONSUME(Percent);
      operand = this.ACTION(() => this.node({ kind: 'unary', op: '%', operand, span: this.spanFrom(first) }, sign));
    });
    return operand;
  });

  /** `table[key].column`, `run_model({model: m}).cost`, `steps[1].model`. */
  postfix = this.RULE('postfix', (): Expr => {
    const first = this.LA(1);
    let object = this.SUBRULE(this.atom);
    this.MANY(() =>
      this.OR([
        { ALT: () => {
          const dot = this.CONSUME(Dot);
          const property = this.expect(Identifier, (found) => errors.expectedName(dot, found, this.ctx));
          object = this.ACTION(() => this.node({
            kind: 'member',
            object,
            property: property.image,
            propertySpan: tokenSpan(property),
            span: this.spanFrom(first),
          }, dot));
        } },
        { ALT: () => {
          const open = this.CONSUME(LBracket);
          const index = this.nested(open, () => this.SUBRULE(this.expression));
          this.close(RBracket, open);
          object = this.ACTION(() => this.node({ kind: 'index', object, index, span: this.spanFrom(first) }, open));
        } },
      ]),
    );
    return object;
  });

  atom = this.RULE('atom', (): Expr =>
    this.OR([
      { ALT: () => {
        const literal = this.CONSUME(NumberLiteral);
        return this.ACTION((): Expr => {
          const value = numberValue(literal.image);
          if (value === undefined) throw errors.tooManyDigits(literal, MAX_NUMBER_DIGITS, this.ctx);
          return { kind: 'number', value, text: literal.image, span: tokenSpan(literal) };
        });
      } },
      { ALT: () => {
        const literal = this.CONSUME(StringLiteral);
        return this.ACTION((): Expr => ({
          kind: 'string', value: stringValue(literal.image), span: tokenSpan(literal),
        }));
      } },
      { ALT: () => {
        const literal = this.CONSUME(True);
        return this.ACTION((): Expr => ({ kind: 'boolean', value: true, span: tokenSpan(literal) }));
      } },
      { ALT: () => {
        const literal = this.CONSUME(False);
        return this.ACTION((): Expr => ({ kind: 'boolean', value: false, span: tokenSpan(literal) }));
      } },
      { ALT: () => this.SUBRULE(this.list) },
      { ALT: () => this.SUBRULE(this.record) },
      { ALT: () => this.SUBRULE(this.parenthesized) },
      { ALT: () => this.SUBRULE(this.callOrName) },
      { GATE: () => tokenMatcher(this.LA(2), LParen), ALT: () => this.SUBRULE(this.functionWord) },
    ]),
  );

  /** `AND(a, b)`, `OR(a, b)`, `NOT(a)`: the spreadsheet functions beside the words. */
  functionWord = this.RULE('functionWord', (): Expr => {
    const name = this.OR([
      { ALT: () => this.CONSUME(And) },
      { ALT: () => this.CONSUME(Or) },
      { ALT: () => this.CONSUME(Not) },
    ]);
    const args = this.SUBRULE(this.callArguments);
    return this.ACTION((): Expr =>
      this.node({ kind: 'call', callee: name.image, calleeSpan: tokenSpan(name), args, span: this.spanFrom(name) }, name));
  });

  list = this.RULE('list', (): Expr => {
    const open = this.CONSUME(LBracket);
    const items = this.nested(open, () => this.commaSeparated(RBracket, (i) => this.subrule(i, this.expression)));
    this.close(RBracket, open, 'expression');
    return this.ACTION(() => this.node({ kind: 'list', items, span: this.spanFrom(open) }, open));
  });

  record = this.RULE('record', (): Expr => {
    const open = this.CONSUME(LBrace);
    const fields = this.nested(open, () => this.commaSeparated(RBrace, (i) => this.subrule(i, this.field)));
    this.close(RBrace, open, 'field');
    return this.ACTION((): Expr => {
      const names = new Set<string>();
      for (const { key, field } of fields) {
        if (names.has(field.name)) throw errors.duplicateField(key, this.ctx);
        names.add(field.name);
      }
      return this.node({ kind: 'record', fields: fields.map((f) => f.field), span: this.spanFrom(open) }, open);
    });
  });

  /** `model: x` or `'odd key': y`; returns the key token too, to point at a duplicate. */
  field = this.RULE('field', (): { key: IToken; field: RecordField } => {
    const key = this.OR([
      { ALT: () => this.CONSUME(Identifier) },
      { ALT: () => this.CONSUME(StringLiteral) },
    ]);
    this.expect(Colon, (found) => errors.expectedColon(key, found, this.ctx));
    const value = this.SUBRULE(this.expression);
    return this.ACTION(() => {
      const name = tokenMatcher(key, StringLiteral) ? stringValue(key.image) : key.image;
      return { key, field: { name, value, span: this.spanFrom(key) } };
    });
  });

  parenthesized = this.RULE('parenthesized', (): Expr => {
    const open = this.CONSUME(LParen);
    const inner = this.nested(open, () => this.SUBRULE(this.expression));
    this.close(RParen, open);
    return inner;
  });

  callOrName = this.RULE('callOrName', (): Expr => {
    const name = this.CONSUME(Identifier);
    const args = this.OPTION(() => this.SUBRULE(this.callArguments));
    return this.ACTION((): Expr => {
      const span = tokenSpan(name);
      return args
        ? this.node({ kind: 'call', callee: name.image, calleeSpan: span, args, span: this.spanFrom(name) }, name)
        : { kind: 'name', name: name.image, span };
    });
  });

  callArguments = this.RULE('callArguments', (): Expr[] => {
    const open = this.CONSUME(LParen);
    const args = this.nested(open, () => this.commaSeparated(RParen, (i) => this.subrule(i, this.argument)));
    this.close(RParen, open, 'expression');
    return args;
  });

  /** Lambdas exist only here, directly as a call argument: `MAP(xs, x => x * 2)`. */
  argument = this.RULE('argument', (): Expr =>
    this.OR([
      { GATE: () => this.lambdaAhead(), IGNORE_AMBIGUITIES: true, ALT: () => this.SUBRULE(this.lambda) },
      { ALT: () => this.SUBRULE(this.expression) },
    ]),
  );

  lambda = this.RULE('lambda', (): Expr => {
    const first = this.LA(1);
    const params: LambdaParam[] = [];
    const param = (name: IToken) => this.ACTION(() => params.push({ name: name.image, span: tokenSpan(name) }));
    this.OR([
      { ALT: () => param(this.CONSUME(Identifier)) },
      { ALT: () => {
        this.CONSUME(LParen);
        this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => param(this.CONSUME2(Identifier)) });
        this.CONSUME(RParen);
      } },
    ]);
    this.CONSUME(Arrow);
    const body = this.SUBRULE(this.expression);
    return this.ACTION(() => this.node({ kind: 'lambda', params, body, span: this.spanFrom(first) }, first));
  });

  /** A decision-table condition cell: `-`, `25`, `>= 25`, `not in [..]`, `[1..4)`. */
  unaryTest = this.RULE('unaryTest', (): UnaryTest => {
    const first = this.LA(1);
    return this.OR([
      { GATE: () => this.LA(2).tokenType === EOF, IGNORE_AMBIGUITIES: true, ALT: () => {
        this.CONSUME(Minus);
        return this.ACTION((): UnaryTest => ({ kind: 'any', span: this.spanFrom(first) }));
      } },
      { ALT: () => {
        const op = this.CONSUME(ComparisonOperator);
        const value = this.SUBRULE(this.sum);
        return this.ACTION((): UnaryTest => ({
          kind: 'compare', op: compareOp(op.image), value, span: this.spanFrom(first),
        }));
      } },
      { GATE: () => !this.functionWordAhead(), IGNORE_AMBIGUITIES: true, ALT: () => {
        const not = this.OPTION(() => this.CONSUME(Not));
        // Without `not` this alternative was chosen because `in` is next, so only `not` can be unmatched.
        this.expect(In, (found) => errors.expectedInAfterNot(not!, found, this.ctx));
        const list = this.SUBRULE2(this.sum);
        return this.ACTION((): UnaryTest => ({
          kind: 'in', negated: not !== undefined, list, span: this.spanFrom(first),
        }));
      } },
      { GATE: () => this.rangeAhead(), IGNORE_AMBIGUITIES: true, ALT: () => this.SUBRULE(this.range) },
      { ALT: () => {
        const value = this.SUBRULE3(this.sum);
        return this.ACTION((): UnaryTest => ({ kind: 'compare', op: '==', value, span: this.spanFrom(first) }));
      } },
    ]);
  });

  /** `[1..4]`, `(1..4]`, `[1..4)`, `(0..1280)`: a bracket includes its end, a parenthesis excludes it. */
  range = this.RULE('range', (): UnaryTest => {
    const open = this.OR([
      { ALT: () => this.CONSUME(LBracket) },
      { ALT: () => this.CONSUME(LParen) },
    ]);
    const [low, high] = this.nested(open, () => {
      const from = this.SUBRULE(this.sum);
      this.expect(DotDot, (found) => errors.expectedRangeDots(found, this.ctx));
      return [from, this.SUBRULE2(this.sum)];
    });
    this.ACTION(() => {
      if (!tokenMatcher(this.LA(1), RBracket) && !tokenMatcher(this.LA(1), RParen)) {
        throw errors.missingRangeEnd(open, this.LA(1), this.ctx);
      }
    });
    const close = this.OR2([
      { ALT: () => this.CONSUME(RBracket) },
      { ALT: () => this.CONSUME(RParen) },
    ]);
    return this.ACTION((): UnaryTest => ({
      kind: 'range', low, high,
      lowInclusive: tokenMatcher(open, LBracket), highInclusive: tokenMatcher(close, RBracket),
      span: this.spanFrom(open),
    }));
  });

  // ---- building blocks shared by the rules ----

  /** `operand (operator operand)*`, grouped to the left; `operand(i)` calls its subrule with occurrence `i`. */
  private leftAssociative(operator: TokenType, operand: (occurrence: number) => Expr): Expr {
    const first = this.LA(1);
    let left = operand(1);
    this.MANY(() => {
      const op = this.CONSUME(operator);
      const right = operand(2);
      left = this.ACTION(() => this.binary(op.image.toLowerCase() as BinaryOp, left, right, op, first));
    });
    return left;
  }

  private prefix(op: UnaryOp, token: TokenType, operand: () => Expr): Expr {
    const opToken = this.CONSUME(token);
    const inner = this.nested(opToken, operand);
    return this.ACTION(() => this.node({ kind: 'unary', op, operand: inner, span: this.spanFrom(opToken) }, opToken));
  }

  private binary(op: BinaryOp, left: Expr, right: Expr, opToken: IToken, first: IToken): Expr {
    const opSpan = tokenSpan(opToken);
    return this.node({ kind: 'binary', op, left, right, opSpan, span: this.spanFrom(first) }, opToken);
  }

  /** `item (, item)* ,?` or nothing; `item(i)` must call its subrule with occurrence index `i`. */
  private commaSeparated<T>(closer: TokenType, item: (occurrence: number) => T): T[] {
    const items: T[] = [];
    this.OPTION(() => {
      items.push(item(1));
      this.MANY({
        GATE: () => !tokenMatcher(this.LA(2), closer),
        DEF: () => {
          this.CONSUME(Comma);
          items.push(item(2));
        },
      });
      this.OPTION2(() => this.CONSUME2(Comma));
    });
    return items;
  }

  /**
   * Limits the depth of the tree, so that every stage after the parser can walk it recursively:
   * `operator` is the token that made `e`, where an error points if `e` is one level too many.
   * Chains like `a + b + c` count too, as they are nested in the tree: `(a + b) + c`.
   */
  private node<T extends Expr>(e: T, operator: IToken): T {
    const height = 1 + Math.max(-1, ...children(e).map((child) => this.heights.get(child) ?? 0));
    if (height > this.maxDepth) throw errors.tooDeep(operator, this.maxDepth, this.ctx);
    this.heights.set(e, height);
    return e;
  }

  /** Limits the nesting of brackets and prefix operators while parsing, so the parser's own stack stays small. */
  private nested<T>(opener: IToken, parse: () => T): T {
    this.ACTION(() => {
      if (++this.depth > this.maxDepth) throw errors.tooDeep(opener, this.maxDepth, this.ctx);
    });
    const result = parse();
    this.ACTION(() => this.depth--);
    return result;
  }

  /**
   * CONSUME, but a different token becomes the RuleError `explain` words. Uses occurrence
   * index 9, so a rule must not also CONSUME9 the same token type.
   */
  private expect(type: TokenType, explain: (found: IToken) => RuleError): IToken {
    this.ACTION(() => {
      if (!tokenMatcher(this.LA(1), type)) throw explain(this.LA(1));
    });
    return this.consume(9, type);
  }

  /** Consumes the `closer` of `opener`; `item` says what a comma-separated list between them holds. */
  private close(closer: TokenType, opener: IToken, item?: errors.ListItem): IToken {
    const closerText = closer.PATTERN as string;
    return this.expect(closer, (found) => errors.missingCloser(closerText, opener, found, this.ctx, item));
  }

  /** `x =>` or `(a, b) =>` ahead; decided by scanning since the parameter list has no length bound. */
  private lambdaAhead(): boolean {
    if (tokenMatcher(this.LA(1), Identifier)) return tokenMatcher(this.LA(2), Arrow);
    if (!tokenMatcher(this.LA(1), LParen)) return false;
    for (let i = 2; tokenMatcher(this.LA(i), Identifier); i += 2) {
      if (tokenMatcher(this.LA(i + 1), RParen)) return tokenMatcher(this.LA(i + 2), Arrow);
      if (!tokenMatcher(this.LA(i + 1), Comma)) return false;
    }
    return false;
  }

  /** A `..` inside the bracket ahead tells a range `[1..4]` from a list or parenthesised value. */
  private rangeAhead(): boolean {
    let depth = 0;
    for (let i = 1; this.LA(i).tokenType !== EOF; i++) {
      const token = this.LA(i);
      if ([LParen, LBracket, LBrace].some((t) => tokenMatcher(token, t))) depth++;
      else if ([RParen, RBracket, RBrace].some((t) => tokenMatcher(token, t))) depth--;
      else if (tokenMatcher(token, DotDot)) return depth === 1;
      if (depth === 0) return false;
    }
    return false;
  }

  /** `NOT(` ahead: the function, not the word. */
  private functionWordAhead(): boolean {
    return tokenMatcher(this.LA(1), Not) && tokenMatcher(this.LA(2), LParen) && this.LA(2).startOffset === this.LA(1).startOffset + this.LA(1).image.length;
  }

  /** The token after `token` in the text (EOF's offset is NaN, and no error points past the end here). */
  private tokenAfter(token: IToken): IToken {
    const tokens = this.ctx.tokens;
    return tokens[tokens.indexOf(token) + 1] ?? token;
  }

  private comparisonAhead(): boolean {
    const next = this.LA(1);
    return tokenMatcher(next, ComparisonOperator) || tokenMatcher(next, In)
      || (tokenMatcher(next, Not) && tokenMatcher(this.LA(2), In));
  }

  /** From the start of `first` to the end of the last token consumed. */
  private spanFrom(first: IToken): Span {
    const last = this.LA(0);
    return { start: first.startOffset, end: last.startOffset + last.image.length };
  }
}

/** The one parser instance; chevrotain parsers are built to be reused. */
export const parser = new FormulaParser();
