// `credits quote --explain` marks the illustrative figures a result used; `credits check
// --release` fails while an operation's result depends on one, and says which and why.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { credits } from './run.ts';

const shop = join(import.meta.dirname, '..', 'check', 'provenance', 'shop');

describe('credits quote --explain', () => {
  test("marks PixAI's illustrative image prices under the cells that used them", async () => {
    const r = await credits('quote', 'rules/pixai', 'generate_image', '--input', '{"width":1280,"height":720,"tools":["hires"]}', '--explain');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const after = (cell: string) => lines[lines.findIndex((l) => l.trimStart().startsWith(`${cell} `)) + 1]!;
    expect(after('base_credits')).toMatch(/↳ illustrative: models\[haruka-v2\]\.base_credits \(PixAI publishes .*\) rules\/pixai\/generate_image\.yaml:\d+:\d+$/);
    expect(after('tools_credits')).toContain('↳ illustrative: tool_prices[hires].credits_per_image');
    expect(r.stdout).not.toContain('face_fix');
    expect(lines).toContain('illustrative figures in this result (invented, not published): models[haruka-v2].base_credits; cell area_factor; '
      + 'decision table shape, row 3; cell steps_factor; tool_prices[hires].credits_per_image; cell priority_factor');
  });

  test('shows no marks for a result made of published figures only', async () => {
    const r = await credits('quote', 'rules/pixai', 'train_lora', '--input', '{"architecture":"SDXL"}', '--explain');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('cost = 75000');
    expect(r.stdout).not.toContain('illustrative');
  });

  test('without --explain, prints the result alone', async () => {
    const r = await credits('quote', 'rules/pixai', 'generate_image', '--input', '{"width":1024,"height":1024}');
    expect(r.stdout).not.toContain('illustrative');
  });

  test('--json --explain lists the illustrative figures on their trace lines and for the result', async () => {
    const r = await credits('quote', shop, 'price', '--input', '{"size":"large"}', '--explain', '--json');
    const json = JSON.parse(r.stdout) as { trace: { name: string; illustrative?: { figure: string }[] }[]; illustrative: { figure: string; reason: string; at: string }[] };
    expect(json.illustrative.map((f) => f.figure)).toEqual(['sizes[large].credits', 'cell bulk']);
    expect(json.illustrative[0]!.reason).toBe('the page says large images cost more, not how much');
    expect(json.illustrative[0]!.at).toMatch(/price\.yaml:8:15$/);
    expect(json.trace.find((t) => t.name === 'per_image')!.illustrative!.map((f) => f.figure)).toEqual(['sizes[large].credits']);
    expect(json.trace.find((t) => t.name === 'size')!.illustrative).toBeUndefined();
  });
});

describe('credits check --release', () => {
  test('fails on PixAI and names the illustrative figure, the operation and the reason', async () => {
    const r = await credits('check', '--release', 'rules/pixai');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/rules\/pixai\/generate_image\.yaml:\d+:\d+: error: operation 'generate_image' depends on an illustrative figure: models\[\*\]\.base_credits \(PixAI publishes that newer or higher-quality models cost more, not each model's price\)/);
    expect(r.stderr).toContain("reaches it through cost → batch_credits → image_credits → base_credits");
    expect(r.stdout).toMatch(/^1 pack \(pixai\), \d+ operations checked for release: \d+ errors, 0 warnings$/m);
  });

  test('without --release the same pack passes: illustrative figures are allowed while drafting', async () => {
    const r = await credits('check', 'rules/pixai');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  test('passes a pack whose results rest on published figures only', async () => {
    const r = await credits('check', '--release', join(shop, '..', 'published'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  test('names only the operations that depend on an illustrative figure', async () => {
    const r = await credits('check', '--release', shop);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("operation 'price' depends");
    expect(r.stderr).not.toContain("'small_only'");
  });
});
