// `npm run corpus [pack folders…]`: writes each pack's request corpus, tests/corpus.jsonl, for
// `credits diff` (src/impact/corpus.ts says what is in it). Default: every pack under rules/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { Engine } from '../src/engine/index.ts';
import { corpusText } from '../src/impact/corpus.ts';

const engine = Engine.load(process.argv.length > 2 ? process.argv.slice(2) : ['rules']);
for (const pack of engine.packs()) {
  const text = corpusText(engine, pack.name);
  const path = join(pack.dir, 'tests', 'corpus.jsonl');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  console.log(`${relative(process.cwd(), path)}: ${text.split('\n').length - 1} requests`);
}
