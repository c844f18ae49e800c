// Which version of a pack applies at a time: the one rule, for the engine, the checker and the export.
import { RuleError } from '../../grammar/diagnostic.ts';
import { didYouMean } from '../suggest.ts';

/** A version is in force from its effective time until a later version takes effect. */
export function hasTakenEffect(effective: Date, time: number): boolean {
  return effective.getTime() <= time;
}

/**
 * The version of pack `pack` in force at `at` (default now): of those that have taken
 * effect, the latest. `versions` may come in any order; `effectiveOf` reads each one's time.
 */
export function versionInForce<V>(pack: string, versions: readonly V[], effectiveOf: (v: V) => Date, at?: Date): V {
  const time = at ? at.getTime() : Date.now();
  if (Number.isNaN(time)) throw new RuleError('invalid-time', 'the request time is not a valid date');
  let found: V | undefined;
  let foundAt = -Infinity;
  for (const v of versions) {
    const effective = effectiveOf(v);
    if (hasTakenEffect(effective, time) && effective.getTime() >= foundAt) {
      found = v;
      foundAt = effective.getTime();
    }
  }
  if (!found) {
    const first = Math.min(...versions.map((v) => effectiveOf(v).getTime()));
    throw new RuleError('no-version-in-force', `pack '${pack}' has no version in force at ${new Date(time).toISOString()}`, undefined, undefined,
      versions.length ? `its first version takes effect at ${new Date(first).toISOString()}` : undefined);
  }
  return found;
}

/** The error for an operation that `subject` (`pack 'x'`) doesn't have in `version`; `names` are the operations it has. */
export function unknownOperation(subject: string, version: string, operation: string, names: Iterable<string>): RuleError {
  const known = [...names];
  return new RuleError('unknown-operation', `${subject} (version ${version}) has no operation '${operation}'`, undefined, undefined,
    didYouMean(operation, known) ?? `operations: ${known.join(', ')}`);
}
