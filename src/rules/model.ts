// The in-memory model of a rule pack, as read from YAML: nothing parsed or checked yet,
// but every piece knows where it was written.
import type { Source } from '../../grammar/diagnostic.ts';
import type { Decimal } from '../decimal.ts';
import type { Value } from '../value.ts';
import type { Loc } from './yaml-source.ts';

/** A formula as written in a YAML scalar, with the Source that maps it back to the file. */
export interface FormulaText {
  text: string;
  source: Source;
  loc: Loc;
}

export interface Named {
  name: string;
  loc: Loc;
}

export type InputType =
  | { kind: 'number' | 'integer'; min?: Decimal; max?: Decimal; enum?: Decimal[] }
  | { kind: 'string'; enum?: string[] }
  | { kind: 'boolean' }
  | { kind: 'list'; items: InputType; minItems?: number; maxItems?: number }
  | { kind: 'record'; fields: InputDecl[] }
  /** Its declaration breaks the schema (already reported); only its name is known. */
  | { kind: 'malformed' };

export interface InputDecl extends Named {
  type: InputType;
  description?: string;
  /** The default as an already validated value; absent when the input is required. */
  default?: Value;
  /** The default as JSON, for input schemas. */
  defaultJson?: unknown;
}

/**
 * Where figures come from, as a `source:` mark says: a phrase of a published page (a seed
 * file), or a reason the figure was invented. `columns` (tables) and `rows` (decision tables,
 * 1-based) narrow what the mark covers; absent, it covers everything it is attached to.
 */
export type FigureSource = (
  | { kind: 'published'; seed: string; seedLoc: Loc; quotes: { text: string; loc: Loc }[] }
  | { kind: 'illustrative'; reason: string }
) & { columns?: Named[]; rows?: { row: number; loc: Loc }[]; loc: Loc };

export interface TableDecl extends Named {
  key: string;
  columns: string[];
  rows: { cells: Record<string, Value>; loc: Loc; sources?: FigureSource[] }[];
  /** Marks for rows without their own. */
  sources?: FigureSource[];
  description?: string;
  /** Its rows could not be read (already reported); formulas using it are not checked further. */
  unreadable?: boolean;
}

export interface CellDecl extends Named {
  formula: FormulaText;
  sources?: FigureSource[];
  /** Not a formula at all (a list, a mapping): reported by the schema, not parsed. */
  malformed?: boolean;
}

export type HitPolicy = 'first' | 'unique' | 'collect';
export type Aggregate = 'sum' | 'min' | 'max' | 'count' | 'list';

export interface DecisionDecl extends Named {
  hit: HitPolicy;
  aggregate?: Aggregate;
  inputs: FormulaText[];
  outputs: Named[];
  rows: { conditions: FormulaText[]; outputs: FormulaText[]; loc: Loc }[];
  default?: FormulaText[];
  description?: string;
  sources?: FigureSource[];
  /** Breaks the schema (already reported): only its name is known. */
  malformed?: boolean;
}

export interface ConstraintDecl {
  require: FormulaText;
  message: string;
  messageLoc: Loc;
  code?: string;
  loc: Loc;
}

export interface OperationDecl extends Named {
  description?: string;
  inputs: InputDecl[];
  tables: TableDecl[];
  cells: CellDecl[];
  decisions: DecisionDecl[];
  constraints: ConstraintDecl[];
  outputs: Named[];
}

export interface Definitions {
  tables: TableDecl[];
  cells: CellDecl[];
}

export interface VersionDecl {
  version: string;
  effective: Date;
  loc: Loc;
  files: string[];
  definitions: Definitions;
  operations: OperationDecl[];
}

export interface PackDecl {
  name: string;
  title?: string;
  description?: string;
  unit: 'credits' | 'usd';
  decimals: number;
  dir: string;
  /** The folder of published pages that `source:` marks quote (pack.yaml's `seeds`), resolved. */
  seeds?: { dir: string; loc: Loc };
  loc: Loc;
  versions: VersionDecl[];
}
