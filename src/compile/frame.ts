import type { RecordValue, Value } from '../value.ts';

/** One line of an explain trace: a name, how it was computed, and its value. */
export interface TraceEntry {
  name: string;
  kind: 'input' | 'cell' | 'decision' | 'constraint' | 'call';
  formula?: string;
  value: Value;
  /** For decisions: which rows matched. For constraints: the message when it failed. */
  note?: string;
}

export interface Rejection {
  code?: string;
  message: string;
}

/** Thrown through an operation call when the called operation rejects the request. */
export class Rejected {
  constructor(readonly rejections: Rejection[]) {}
}

/** The state of one evaluation of one operation. */
export interface Frame {
  inputs: RecordValue;
  /** Memoized values of cells and decisions, by slot. */
  values: (Value | undefined)[];
  /** Lambda parameters, by slot. */
  locals: Value[];
  trace?: TraceEntry[];
  /** Nesting of operation calls, bounded so a runaway can't exhaust the stack. */
  depth: number;
  /** Operation calls made so far, to label their trace entries. */
  calls?: number;
}
