// Rule files' text given in memory instead of read from disk: what the playground's editor
// checks without writing a file. Loading and checking are synchronous, so an overlay set
// for one synchronous call can't leak into another request.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

let overlay: ReadonlyMap<string, string> | undefined;

/** A file's text: the overlay's, when one is in effect and holds the file, else the disk's. */
export function readText(path: string): string {
  return overlay?.get(resolve(path)) ?? readFileSync(path, 'utf8');
}

/** Runs `work` with these files (absolute path → text) read from memory; `work` must not be async. */
export function withFileOverlay<T>(files: ReadonlyMap<string, string>, work: () => T): T {
  if (overlay) throw new Error('file overlays do not nest');
  overlay = new Map([...files].map(([p, text]) => [resolve(p), text]));
  try {
    return work();
  } finally {
    overlay = undefined;
  }
}
