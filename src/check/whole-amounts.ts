// An output the ledger moves as an amount (a charge, a grant, a refund) is rounded to the pack's
// decimals by ledger.yaml's `rounding`. When the pack doesn't declare one, the default rounds
// silently; a formula that may give a fraction of a credit deserves a word before that happens.
import type { Expr } from '../../grammar/ast.ts';
import type { Source } from '../../grammar/diagnostic.ts';
import { RuleError } from '../../grammar/diagnostic.ts';
import { formatExpr } from '../../grammar/format.ts';
import { Decimal } from '../decimal.ts';
import { builtin } from '../functions/builtins.ts';
import type { LedgerPolicy } from '../rules/ledger-policy.ts';
import { errorAt } from '../rules/yaml-source.ts';
import { isRecord, TableValue, type Value } from '../value.ts';
import type { CheckedOperation, CheckedPack, Symbol } from './model.ts';

/** Why a value may have more decimals than the pack keeps: the sub-formula that brings them. */
type Fraction = { text: string } | undefined;

/** The outputs the ledger turns into amounts, by operation, with what the ledger does with them. */
function amountOutputs(policy: LedgerPolicy): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  const add = (op: string | undefined, output: string, use: string) => {
    if (op === undefined) return;
    const outputs = out.get(op) ?? new Map<string, string>();
    if (!outputs.has(output)) outputs.set(output, use);
    out.set(op, outputs);
  };
  for (const [op, output] of policy.charges) add(op, output, 'charged');
  const events = [['granted', policy.plans?.allowance], ['granted', policy.topup], ['granted', policy.dailyClaim], ['granted', policy.signup]] as const;
  for (const [use, e] of events) {
    for (const g of e?.grants ?? []) if (g.amount.from === 'output') add(e!.operation, g.amount.name, use);
  }
  if (policy.refund) add(policy.refund.operation, policy.refund.output, 'refunded');
  return out;
}

/** A warning at each amount output whose formula may have more decimals than the pack keeps. */
export function amountsMayNotBeWhole(pack: CheckedPack, policy: LedgerPolicy): RuleError[] {
  const warnings: RuleError[] = [];
  const { decimals, unit } = pack.decl;
  const amounts = amountOutputs(policy);
  const seen = new Set<string>();
  for (const version of pack.versions) {
    for (const [opName, outputs] of amounts) {
      const op = version.operations.get(opName);
      if (!op) continue;
      const analysis = new FractionFinder(op, decimals);
      for (const [output, use] of outputs) {
        const sym = op.symbols.get(output);
        if (sym?.kind !== 'cell' || sym.formula.broken) continue;
        const why = analysis.of(output);
        if (!why) continue;
        const whole = decimals === 0 ? `a whole number of ${unit}` : `a whole number of ${unit} to ${decimals} decimals`;
        const wrapped = decimals === 0 ? `CEIL(${sym.formula.text.trim()})` : `CEIL(${sym.formula.text.trim()}, ${new Decimal(1).div(new Decimal(10).pow(decimals)).toFixed()})`;
        // Versions that read the same rule file share the cell: one warning for it.
        const at = `${sym.decl.loc.source.file}:${sym.decl.loc.span.start}:${output}`;
        if (seen.has(at)) continue;
        seen.add(at);
        warnings.push(errorAt(sym.decl.loc, 'amount-may-not-be-whole',
          `output '${output}' of '${opName}' is ${use} by the ledger but may not be ${whole}: ${why.text} can have decimals, and ledger.yaml declares no rounding`,
          `round it where you mean to: ${output}: ${wrapped}, or say how the ledger rounds in ledger.yaml: rounding: up (or down, half_up)`, 'warning'));
      }
    }
  }
  return warnings;
}

class FractionFinder {
  private readonly memo = new Map<string, Fraction>();
  private readonly visiting = new Set<string>();

  constructor(private readonly op: CheckedOperation, private readonly decimals: number) {}

  of(name: string): Fraction {
    if (this.memo.has(name)) return this.memo.get(name);
    const sym = this.op.symbols.get(name);
    if (!sym || this.visiting.has(name)) return undefined;
    this.visiting.add(name);
    const why = this.symbol(name, sym);
    this.visiting.delete(name);
    this.memo.set(name, why);
    return why;
  }

  private symbol(name: string, sym: Symbol): Fraction {
    switch (sym.kind) {
      case 'input': {
        const t = sym.decl.type;
        if (t.kind !== 'number') return undefined;
        const enumWhole = t.enum?.every((v) => this.fits(v));
        return enumWhole ? undefined : { text: `input '${name}' (a number, not an integer)` };
      }
      case 'cell':
        return sym.formula.broken ? undefined : this.expr(sym.formula.expr, sym.formula.source);
      case 'decision': {
        const d = sym.decision;
        for (const f of [...d.rows.flatMap((r) => r.outputs), ...(d.default ?? [])]) {
          const why = f.broken ? undefined : this.expr(f.expr, f.source);
          if (why) return why;
        }
        return undefined;
      }
      case 'table':
        return undefined;
    }
  }

  private fits(v: Decimal): boolean {
    return v.decimalPlaces() <= this.decimals;
  }

  private text(e: Expr, source: Source): string {
    return `'${source.text.slice(e.span.start, e.span.end).trim() || formatExpr(e)}'`;
  }

  private expr(e: Expr, source: Source): Fraction {
    const sub = (x: Expr) => this.expr(x, source);
    switch (e.kind) {
      case 'number':
        return this.fits(new Decimal(e.value)) ? undefined : { text: this.text(e, source) };
      case 'string': case 'boolean':
        return undefined;
      case 'lambda':
        return sub(e.body);
      case 'name':
        return this.of(e.name);
      case 'list':
        return firstOf(e.items.map(sub));
      case 'record':
        return firstOf(e.fields.map((f) => sub(f.value)));
      case 'member': {
        const column = this.decisionColumn(e);
        if (column !== undefined) return column === 'whole' ? undefined : column;
        return this.tableColumn(e) ?? sub(e.object);
      }
      case 'index':
        return sub(e.object);
      case 'unary':
        if (e.op === '%') {
          const n = e.operand.kind === 'number' ? new Decimal(e.operand.value).div(100) : undefined;
          return n && this.fits(n) ? undefined : { text: this.text(e, source) };
        }
        return e.op === '-' ? sub(e.operand) : undefined;
      case 'binary':
        switch (e.op) {
          case '/': return { text: this.text(e, source) };
          case '+': case '-': case '*': case '^': return sub(e.left) ?? sub(e.right);
          default: return undefined;
        }
      case 'call': {
        const fn = builtin(e.callee);
        if (!fn) return undefined;
        if (fn.rounding) return this.rounded(e, fn.rounding.second, source);
        // IF's and SWITCH's tests are true/false or keys; only what they give back becomes the amount.
        const given = fn.name === 'IF' ? e.args.slice(1) : e.args;
        return firstOf(given.map(sub));
      }
    }
  }

  /** CEIL(x), ROUND(x, 2), CEIL(x, 0.5): whole when what it rounds to fits the pack's decimals. */
  private rounded(e: Extract<Expr, { kind: 'call' }>, second: 'digits' | 'significance' | 'none', source: Source): Fraction {
    const to = e.args[1];
    if (second === 'none' || to === undefined) return undefined;
    if (to.kind === 'number') {
      const v = new Decimal(to.value);
      if (second === 'digits' ? v.cmp(this.decimals) <= 0 : this.fits(v)) return undefined;
    }
    return { text: this.text(e, source) };
  }

  /** `rate.per_megapixel`: only that column of the decision table. */
  private decisionColumn(e: Extract<Expr, { kind: 'member' }>): Fraction | 'whole' {
    const sym = e.object.kind === 'name' ? this.op.symbols.get(e.object.name) : undefined;
    if (sym?.kind !== 'decision') return undefined;
    const i = sym.decl.outputs.findIndex((o) => o.name === e.property);
    if (i < 0) return undefined;
    const d = sym.decision;
    const cells = [...d.rows.map((r) => r.outputs[i]), d.default?.[i]];
    return firstOf(cells.map((f) => (f && !f.broken ? this.expr(f.expr, f.source) : undefined))) ?? 'whole';
  }

  /** `models[model].credits`: as fine as the finest value of that column. */
  private tableColumn(e: Extract<Expr, { kind: 'member' }>): Fraction {
    const object = e.object.kind === 'index' ? e.object.object : undefined;
    const sym = object?.kind === 'name' ? this.op.symbols.get(object.name) : undefined;
    if (sym?.kind !== 'table' || !(sym.value instanceof TableValue)) return undefined;
    for (const [key, row] of sym.value.rows) {
      const v: Value | undefined = isRecord(row) ? row[e.property] : undefined;
      if (v instanceof Decimal && !this.fits(v)) return { text: `'${sym.value.name}[${key.slice(2)}].${e.property}' (${v.toFixed()})` };
    }
    return undefined;
  }
}

const firstOf = (reasons: Fraction[]): Fraction => reasons.find((r) => r !== undefined);
