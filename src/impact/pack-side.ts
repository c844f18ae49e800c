// One side of an impact diff: a loaded pack, pinned to one of its versions or not, and how
// it prices a request — its amount, or why it refuses it.
import { relative, resolve } from 'node:path';
import { RuleError } from '../../grammar/diagnostic.ts';
import { illustrativeInTrace, type IllustrativeFigure } from '../check/provenance.ts';
import type { CheckedPack } from '../check/model.ts';
import type { Rejection, TraceEntry } from '../compile/frame.ts';
import { Decimal } from '../decimal.ts';
import type { PackInfo, QuoteRequest, QuoteResult } from '../engine/index.ts';
import { versionInForce } from '../rules/version-in-force.ts';
import type { LedgerPolicy } from '../rules/ledger-policy.ts';
import { didYouMean } from '../suggest.ts';
import type { ImpactRequest } from './requests.ts';

/** What a side needs of an engine: the Engine itself, or the ledger's view of it. */
export interface QuotingEngine {
  packs(): PackInfo[];
  quote(request: QuoteRequest): QuoteResult;
  ledgerPolicy(pack: string): LedgerPolicy | undefined;
  checkedPack(pack: string): CheckedPack;
}

export interface PackSide {
  /** As the user named it: `rules/pixai`, `rules/pixai@2026.1`, `HEAD~1:rules/pixai`, `live`. */
  label: string;
  info: PackInfo;
  engine: QuotingEngine;
  /** Every request is priced with this version (quoted at its effective time); absent, with the version in force at the request's time. */
  pinned?: { version: string; at: Date };
}

/** With a trace: for each of its lines, the figures marked illustrative it used (none: undefined). */
type Explained = { trace?: TraceEntry[]; illustrative?: IllustrativeFigure[][] };

export type Priced =
  | ({ accepted: true; version: string; amount: Decimal } & Explained)
  | ({ accepted: false; version?: string; rejections: Rejection[] } & Explained);

/** A side of pack `pack` of an engine. */
export function sideOf(engine: QuotingEngine, pack: string, label: string): PackSide {
  const info = engine.packs().find((p) => p.name === pack);
  if (!info) throw new RuleError('unknown-pack', `unknown pack '${pack}'`, undefined, undefined, didYouMean(pack, engine.packs().map((p) => p.name)));
  return { label, info, engine };
}

/**
 * The side pinned to the version named `name`; a whole number n that is no version's name is
 * the n-th version, oldest first (`@1`, `@2`), so a PM can say "the second version".
 */
export function pinned(side: PackSide, name: string): PackSide {
  const versions = side.info.versions;
  const v = versions.find((x) => x.version === name) ?? (/^[1-9]\d*$/.test(name) ? versions[Number(name) - 1] : undefined);
  if (!v) {
    throw new RuleError('unknown-version', `${side.label}: pack '${side.info.name}' has no version '${name}'`, undefined, undefined,
      `its versions, oldest first: ${versions.map((x) => x.version).join(', ')} (or @1 … @${versions.length})`);
  }
  const twin = versions.find((x) => x !== v && x.effective === v.effective);
  if (twin) throw new RuleError('same-effective-time', `${side.label}: versions ${twin.version} and ${v.version} take effect at the same time, ${v.effective}`, undefined, undefined,
    'give each version its own effective time in pack.yaml, so the one in force at a time is clear');
  return { ...side, pinned: { version: v.version, at: new Date(v.effective) } };
}

/** The version in force at a time (the pack's live version, at now). */
export function versionAt(side: PackSide, at: Date): string | undefined {
  const versions = side.info.versions;
  if (!versions.some((v) => Date.parse(v.effective) <= at.getTime())) return undefined;
  return versionInForce(side.info.name, versions, (v) => new Date(v.effective), at).version;
}

/**
 * Prices a request on a side. A request the side can't price — an operation it doesn't
 * have, an input it refuses, an evaluation error — is refused like a constraint refuses
 * one, with the error as the reason: for a PM both mean the request no longer goes through.
 * The price is the output ledger.yaml charges for the operation, else its first output.
 */
export function price(side: PackSide, req: ImpactRequest, now: Date, explain = false): Priced {
  const at = side.pinned?.at ?? req.at ?? now;
  let r: QuoteResult;
  try {
    r = side.engine.quote({ pack: side.info.name, operation: req.operation, input: req.input, at, explain });
  } catch (e) {
    if (!(e instanceof RuleError)) throw e;
    return { accepted: false, rejections: [{ code: e.code, message: e.message }] };
  }
  const explained = { trace: r.trace, illustrative: r.trace && illustrativeLines(side, r.version, req.operation, r.trace) };
  if (r.rejections.length) return { accepted: false, version: r.version, rejections: r.rejections, ...explained };
  const output = side.engine.ledgerPolicy(side.info.name)?.charges.get(req.operation) ?? Object.keys(r.outputs)[0];
  const amount = output === undefined ? undefined : r.outputs[output];
  if (!(amount instanceof Decimal)) {
    return { accepted: false, version: r.version, rejections: [{ code: 'no-amount', message: `output '${output ?? '(none)'}' of '${req.operation}' is not a number` }], ...explained };
  }
  return { accepted: true, version: r.version, amount, ...explained };
}

/**
 * As `quote --explain` marks them (src/check/provenance.ts), each mark's place relative to the
 * side's folder: a git revision's or an upload's copy lives in a temporary one.
 */
function illustrativeLines(side: PackSide, version: string, operation: string, trace: TraceEntry[]): IllustrativeFigure[][] | undefined {
  const { lines } = illustrativeInTrace(side.engine.checkedPack(side.info.name), version, operation, trace);
  if (!lines.some((l) => l.length)) return undefined;
  const place = (at: string) => at.replace(/^(.*)(:\d+:\d+)$/, (_, file: string, pos: string) => relative(resolve(side.info.dir), resolve(file)).split('\\').join('/') + pos);
  return lines.map((l) => l.map((f) => ({ ...f, at: place(f.at) })));
}
