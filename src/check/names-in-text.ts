// The names a formula seems to use, read from its text alone: for a formula that couldn't be
// parsed, so that what it uses isn't then reported as never used (follow-on noise).

/** Identifiers outside quoted text, in order, each once. */
export function namesInText(text: string): string[] {
  const unquoted = text.replace(/'(?:[^'\\]|\\.)*'?|"(?:[^"\\]|\\.)*"?/g, ' ');
  return [...new Set(unquoted.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [])];
}
