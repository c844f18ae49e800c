import { distance } from 'fastest-levenshtein';

/** The known names closest to `name`, best first, for "did you mean …" hints. */
export function nearest(name: string, known: Iterable<string>, max = 3): string[] {
  const lower = name.toLowerCase();
  const scored: [string, number][] = [];
  for (const k of known) {
    const d = distance(lower, k.toLowerCase());
    const limit = Math.max(2, Math.floor(Math.max(name.length, k.length) / 3));
    if (d <= limit || k.toLowerCase().startsWith(lower) || lower.startsWith(k.toLowerCase())) scored.push([k, d]);
  }
  return scored.sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).slice(0, max).map(([k]) => k);
}

export function didYouMean(name: string, known: Iterable<string>): string | undefined {
  const n = nearest(name, known);
  if (n.length === 0) return undefined;
  return `did you mean ${n.map((x) => `"${x}"`).join(' or ')}?`;
}
