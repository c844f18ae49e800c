// The engine: packs loaded, checked and compiled once; quotes evaluated against the
// version in force at the request's time.
import { RuleError } from '../../grammar/diagnostic.ts';
import { hasErrors, loadWorkspace } from '../check/check-paths.ts';
import type { CheckedPack } from '../check/model.ts';
import { compilePack, type CompiledPack, type CompiledVersion } from '../compile/compile-pack.ts';
import type { Rejection, TraceEntry } from '../compile/frame.ts';
import { NO_REJECTIONS, type CompiledOperation } from '../compile/compile-operation.ts';
import { inputSchema } from '../rules/input-schema.ts';
import type { LedgerPolicy } from '../rules/ledger-policy.ts';
import type { PackDecl } from '../rules/model.ts';
import { didYouMean } from '../suggest.ts';
import type { RecordValue } from '../value.ts';
import { hasTakenEffect, unknownOperation, versionInForce } from '../rules/version-in-force.ts';

export interface QuoteRequest {
  pack: string;
  operation: string;
  input: Record<string, unknown>;
  /** The request's time: picks the rule version in force. Default now. */
  at?: Date;
  explain?: boolean;
}

export interface QuoteResult {
  pack: string;
  operation: string;
  version: string;
  unit: 'credits' | 'usd';
  outputs: RecordValue;
  rejections: Rejection[];
  trace?: TraceEntry[];
}

export interface PreparedQuote {
  quote(input: Record<string, unknown>, options?: { at?: Date; explain?: boolean }): QuoteResult;
}

/** What a caller needs to know of a loaded pack: its metadata, versions and operations. */
export interface PackInfo extends Pick<PackDecl, 'name' | 'title' | 'description' | 'unit' | 'decimals' | 'dir'> {
  versions: { version: string; effective: string }[];
  operations: string[];
}

/** Thrown by Engine.load when the packs have errors; holds every diagnostic. */
export class PackErrors extends Error {
  constructor(readonly diagnostics: RuleError[]) {
    super(`the rule packs have ${diagnostics.filter((d) => d.severity === 'error').length} error(s):\n${diagnostics.map((d) => d.format()).join('\n')}`);
  }
}

/**
 * Compiles checked packs. Compiling also computes the shared cells (constants of a version),
 * so a failing one — a division by zero among the definitions — is reported here, with its
 * position, as a pack error.
 */
export function compileAll(packs: CheckedPack[]): CompiledPack[] {
  const compiled: CompiledPack[] = [];
  const errors: RuleError[] = [];
  for (const p of packs) {
    try {
      compiled.push(compilePack(p));
    } catch (e) {
      if (!(e instanceof RuleError)) throw e;
      errors.push(e);
    }
  }
  if (errors.length) throw new PackErrors(errors);
  return compiled;
}

export class Engine {
  private readonly byName: Map<string, CompiledPack>;
  private readonly prepared = new Map<string, PreparedQuote>();

  private constructor(packs: CompiledPack[], readonly warnings: RuleError[]) {
    this.byName = new Map(packs.map((p) => [p.pack.decl.name, p]));
  }

  /** Loads every pack at or under the paths; throws PackErrors if any pack has errors. */
  static load(paths: string | string[]): Engine {
    const ws = loadWorkspace(Array.isArray(paths) ? paths : [paths]);
    if (hasErrors(ws.diagnostics)) throw new PackErrors(ws.diagnostics);
    return new Engine(compileAll(ws.packs), ws.diagnostics);
  }

  packs(): PackInfo[] {
    return [...this.byName.values()].map((p) => {
      const d = p.pack.decl;
      const latest = p.versions[p.versions.length - 1];
      return {
        name: d.name, title: d.title, description: d.description, unit: d.unit, decimals: d.decimals, dir: d.dir,
        versions: p.versions.map((v) => ({ version: v.version, effective: v.effective.toISOString() })),
        operations: latest ? [...latest.operations.keys()] : [],
      };
    });
  }

  pack(name: string): PackInfo {
    const info = this.packs().find((p) => p.name === name);
    if (!info) throw this.unknownPack(name);
    return info;
  }

  private unknownPack(name: string): RuleError {
    return new RuleError('unknown-pack', `unknown pack '${name}'`, undefined, undefined, didYouMean(name, this.byName.keys()) ?? `packs: ${[...this.byName.keys()].join(', ')}`);
  }

  /** The version of a pack in force at a time. */
  version(packName: string, at?: Date): CompiledVersion {
    const p = this.byName.get(packName);
    if (!p) throw this.unknownPack(packName);
    return versionInForce(packName, p.versions, (v) => v.effective, at);
  }

  operation(packName: string, operation: string, at?: Date): { version: CompiledVersion; op: CompiledOperation } {
    const version = this.version(packName, at);
    const op = version.operations.get(operation);
    if (!op) {
      throw unknownOperation(`pack '${packName}'`, version.version, operation, version.operations.keys());
    }
    return { version, op };
  }

  quote(req: QuoteRequest): QuoteResult {
    const key = `${req.pack}\u0000${req.operation}`;
    let prepared = this.prepared.get(key);
    if (!prepared) {
      prepared = this.prepare(req.pack, req.operation);
      this.prepared.set(key, prepared);
    }
    return prepared.quote(req.input, req);
  }

  /**
   * Resolves a pack and operation once, for callers that quote the same operation many
   * times (a server route, a batch): each quote then only picks the version in force.
   */
  prepare(pack: string, operation: string): PreparedQuote {
    const p = this.byName.get(pack);
    if (!p) throw this.unknownPack(pack);
    const unit = p.pack.decl.unit;
    const single = p.versions.length === 1 ? p.versions[0]! : undefined;
    // Which version, and so whether the operation exists, depends on each request's time.
    // Once the single version is in force it stays so (time only moves on): from then on a
    // quote without a time of its own reads neither the clock nor a map, only `settled`.
    let settled: { version: CompiledVersion; op: CompiledOperation } | undefined;
    const resolve = (at?: Date): { version: CompiledVersion; op: CompiledOperation } => {
      if (single && hasTakenEffect(single.effective, at ? at.getTime() : Date.now())) {
        if (settled) return settled;
        const found = { version: single, op: this.operation(pack, operation, at).op };
        if (hasTakenEffect(single.effective, Date.now())) settled = found;
        return found;
      }
      return this.operation(pack, operation, at);
    };
    return {
      quote(input, options) {
        const at = options?.at;
        const { version, op } = settled !== undefined && at === undefined ? settled : resolve(at);
        const explain = !!options?.explain;
        if (!explain) {
          // The fast path's answer goes straight into the one result object.
          const outputs = op.fast(input);
          if (outputs !== undefined) return { pack, operation, version: version.version, unit, outputs, rejections: NO_REJECTIONS };
        }
        const r = op.interpret(input, explain);
        const result: QuoteResult = { pack, operation, version: version.version, unit, outputs: r.outputs, rejections: r.rejections };
        if (r.trace) result.trace = r.trace;
        return result;
      },
    };
  }

  inputSchema(pack: string, operation: string, at?: Date): object {
    return inputSchema(this.operation(pack, operation, at).op.inputs);
  }

  /** The pack as it was checked when loaded (rules with their positions and `source:` marks). */
  checkedPack(pack: string): CheckedPack {
    const p = this.byName.get(pack);
    if (!p) throw this.unknownPack(pack);
    return p.pack;
  }

  /** The pack's ledger policy (its ledger.yaml, checked with the pack), if it has one. */
  ledgerPolicy(pack: string): LedgerPolicy | undefined {
    const p = this.byName.get(pack);
    if (!p) throw this.unknownPack(pack);
    return p.pack.ledgerPolicy;
  }

  inputNames(pack: string, operation: string, at?: Date): string[] {
    return this.operation(pack, operation, at).op.inputs.map((i) => i.name);
  }
}
