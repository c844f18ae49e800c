// What the checker hands to the compiler: every formula parsed, every name resolved to
// a symbol, every cell typed, and the operations' call graph known.
import type { Expr, UnaryTest } from '../../grammar/ast.ts';
import type { Source } from '../../grammar/diagnostic.ts';
import type { CellDecl, ConstraintDecl, DecisionDecl, InputDecl, OperationDecl, PackDecl, TableDecl, VersionDecl } from '../rules/model.ts';
import type { LedgerPolicy } from '../rules/ledger-policy.ts';
import type { Type } from '../types.ts';
import type { TableValue } from '../value.ts';

export interface ParsedFormula {
  expr: Expr;
  source: Source;
  text: string;
  /** Couldn't be parsed (reported already): `expr` is a stand-in and is not checked. */
  broken?: boolean;
}

export type Symbol =
  | { kind: 'input'; decl: InputDecl; type: Type }
  | { kind: 'cell'; decl: CellDecl; formula: ParsedFormula; shared: boolean }
  | { kind: 'decision'; decl: DecisionDecl; decision: CheckedDecision }
  | { kind: 'table'; decl: TableDecl; value: TableValue; type: Type };

export interface CheckedDecision {
  decl: DecisionDecl;
  inputs: ParsedFormula[];
  /** A condition that couldn't be parsed (reported already) is `broken`; its `test` stands in as `-`. */
  rows: { conditions: { test: UnaryTest; source: Source; text: string; broken?: boolean }[]; outputs: ParsedFormula[]; line: number }[];
  default?: ParsedFormula[];
}

export interface CheckedConstraint {
  decl: ConstraintDecl;
  formula: ParsedFormula;
  /** Names interpolated into the message with `{name}`. */
  messageNames: string[];
}

export interface CheckedOperation {
  decl: OperationDecl;
  symbols: Map<string, Symbol>;
  /** Types of cells and decisions as inferred. */
  types: Map<string, Type>;
  constraints: CheckedConstraint[];
  outputs: string[];
  outputTypes: Record<string, Type>;
  /** Names the operation's formulas read (to find shared cells no operation uses). */
  used: Set<string>;
  /** Operations this one calls, by name. */
  calls: Set<string>;
}

export interface CheckedVersion {
  decl: VersionDecl;
  /** Definitions shared by every operation: tables and constant cells. */
  shared: Map<string, Symbol>;
  operations: Map<string, CheckedOperation>;
}

export interface CheckedPack {
  decl: PackDecl;
  versions: CheckedVersion[];
  /** Its ledger.yaml, checked, when it has one. */
  ledgerPolicy?: LedgerPolicy;
}
