export { Engine, PackErrors, type PackInfo, type PreparedQuote, type QuoteRequest, type QuoteResult } from './engine.ts';
export type { Rejection, TraceEntry } from '../compile/frame.ts';
export { RuleError } from '../../grammar/diagnostic.ts';
export { toJsonData, toJsonText, type Value, type RecordValue } from '../value.ts';
