// Compiles every version of a checked pack once; the engine keeps the result.
import { RuleError } from '../../grammar/diagnostic.ts';
import type { CheckedPack, CheckedVersion } from '../check/model.ts';
import type { Value } from '../value.ts';
import { compileExpr } from './compile-expr.ts';
import { compileOperation, type CompiledOperation } from './compile-operation.ts';
import type { Frame } from './frame.ts';

export interface CompiledVersion {
  version: string;
  effective: Date;
  operations: Map<string, CompiledOperation>;
}

export interface CompiledPack {
  pack: CheckedPack;
  /** Oldest first. */
  versions: CompiledVersion[];
}

export function compilePack(pack: CheckedPack): CompiledPack {
  const versions = pack.versions.map(compileVersion).sort((a, b) => a.effective.getTime() - b.effective.getTime());
  return { pack, versions };
}

function compileVersion(v: CheckedVersion): CompiledVersion {
  const operations = new Map<string, CompiledOperation>();
  const constants = new Map<string, Value>();
  const computing = new Set<string>();
  // Shared cells use only definitions, so each is a constant of the version.
  const shared = (name: string): Value => {
    const known = constants.get(name);
    if (known !== undefined) return known;
    if (computing.has(name)) throw new RuleError('cycle', `shared cells depend on each other in a cycle through '${name}'`);
    const sym = v.shared.get(name);
    if (!sym || sym.kind !== 'cell') throw new RuleError('unknown-name', `unknown shared cell '${name}'`);
    computing.add(name);
    const code = compileExpr(sym.formula.expr, sym.formula.source, {
      name: (n) => {
        const s = v.shared.get(n);
        if (s?.kind === 'table') return () => s.value;
        return () => shared(n);
      },
      call: () => undefined,
    }, { n: 0 });
    const frame: Frame = { inputs: Object.create(null), values: [], locals: [], depth: 0 };
    const value = code(frame);
    computing.delete(name);
    constants.set(name, value);
    return value;
  };
  for (const [name, op] of v.operations) operations.set(name, compileOperation(op, (n) => operations.get(n), shared));
  return { version: v.decl.version, effective: v.decl.effective, operations };
}
