// The playground in a real browser: Debian's Chromium driven by playwright-core, against the
// real server (in this process, on a free port) and a front-end built from web/ for this run.
// Every wait is for a state of the page (playwright's auto-waiting), never for a time.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.ts';
import { openLedgerHistory, type ChargeHistory } from '../../src/impact/ledger-history.ts';
import { newApiKey } from '../../src/http/auth.ts';
import { Ledger } from '../../src/ledger/ledger.ts';
import { SqliteStore } from '../../src/ledger/store/sqlite-store.ts';
import { packs, rules } from '../ledger/harness.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = join(import.meta.dirname, 'output');
// Generous: a loaded 2-core machine can take seconds to render. These bound a hung wait only.
const WAIT = 60_000;

/** Waits until the element shows this text. */
async function shows(locator: Locator, text: string | RegExp): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor({ state: 'visible', timeout: WAIT });
}

/** Waits until the element no longer shows this text. */
async function stopsShowing(page: Page, testId: string, text: string): Promise<void> {
  await page.waitForFunction(([id, t]) => !document.querySelector(`[data-testid="${id}"]`)?.textContent?.includes(t!), [testId, text], { timeout: WAIT });
}

/** The rows of the histogram's table: [bucket, requests]. */
async function bucketRows(histogram: Locator): Promise<string[][]> {
  const table = histogram.getByTestId('impact-buckets');
  await table.waitFor({ state: 'visible' });
  return Promise.all((await table.locator('tbody tr').all()).map(async (tr) => [await tr.locator('th').innerText(), await tr.locator('td').innerText()]));
}

describe('the playground in Chromium', () => {
  let dir: string;
  let server: Server;
  let store: SqliteStore;
  let history: ChargeHistory;
  let browser: Browser;
  let page: Page;
  let base: string;
  let token: string;
  const ruleFile = readFileSync('rules/modelpix/generate.yaml', 'utf8');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'playground-'));
    mkdirSync(OUTPUT, { recursive: true });
    execFileSync(process.execPath, ['web/build.mjs', join(dir, 'web')], { stdio: 'inherit' });
    store = new SqliteStore({ path: join(dir, 'ledger.db') });
    const ledger = await Ledger.open(store, packs());
    const admin = newApiKey('admin', [], 'browser test', ledger.now());
    await store.transaction((tx) => tx.insertApiKey(admin.record));
    token = admin.token;
    await ledger.createAccount({ id: 'ada', pack: 'modelpix' }, 'browser-account');
    await ledger.grant('ada', { kind: 'purchase', amount: '100' }, 'browser-grant');
    await ledger.createCharge({ account: 'ada', pack: 'modelpix', operation: 'generate', input: { tool: 'face_swap' }, capture: true }, 'browser-charge');
    history = openLedgerHistory(join(dir, 'ledger.db'));
    const app = createApp({ ledger, engine: rules(), log: pino({ level: 'silent' }), playgroundDir: join(dir, 'web'), history });
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(WAIT);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await history?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('redirects / to the playground and asks for an API key once', async () => {
    await page.goto(base + '/');
    expect(new URL(page.url()).pathname).toBe('/playground');
    await page.getByLabel('API key').fill(token);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await shows(page.getByTestId('pack-select'), 'ModelPix');
    // Kept for the tab: a reload doesn't ask again.
    await page.reload();
    await page.getByTestId('pack-select').waitFor();
  });

  it('quotes as inputs change: the price and its explanation follow, and a rejection shows', async () => {
    await page.getByTestId('pack-select').selectOption('modelpix');
    await page.getByTestId('operation-select').selectOption('generate');
    await shows(page.getByTestId('operation-description'), 'Price one generation');
    await page.getByTestId('input-tool').selectOption('text_to_image');
    await shows(page.getByTestId('quote-outputs'), /cost\s*7/);
    await shows(page.getByTestId('explain-trace'), /image_tools\[tool\]\.credits/);

    await page.getByTestId('input-tool').selectOption('face_swap');
    await shows(page.getByTestId('quote-outputs'), /cost\s*3/);
    await shows(page.getByTestId('explain-trace').locator('tr', { hasText: 'face_swap' }), 'tool');

    await page.getByTestId('input-tool').selectOption('image_to_video');
    await shows(page.getByTestId('quote-rejections'), 'image_to_video is priced per second of output');
    await page.getByTestId('input-seconds').fill('4');
    await shows(page.getByTestId('quote-outputs'), /cost\s*28/);
    await stopsShowing(page, 'quote-rejections', 'priced per second');
    await page.getByTestId('input-resolution').selectOption('480p');
    await shows(page.getByTestId('quote-outputs'), /cost\s*20/);
    await shows(page.getByTestId('explain-trace'), 'credits_per_second_480p');
    await page.screenshot({ path: join(OUTPUT, 'quote-laptop.png'), fullPage: true });
  });

  it('shows the price of every option as a table and bars', async () => {
    await page.getByTestId('matrix-vary').selectOption('tool');
    const matrix = page.getByTestId('price-matrix');
    await shows(matrix.locator('tr', { hasText: 'video_replace_background' }), '60');
    await shows(matrix.locator('tr', { hasText: 'face_swap' }), '3');
    expect(await matrix.locator('svg rect.bar').count()).toBe(6);
    await page.getByTestId('matrix-vary').selectOption('resolution');
    await shows(matrix.locator('tr', { hasText: '720p' }), '28');
  });

  it('shows a broken formula\'s diagnostic under its line, and the quote again once fixed', async () => {
    await page.getByTestId('input-tool').selectOption('face_swap');
    await shows(page.getByTestId('quote-outputs'), /cost\s*3/);
    const editor = page.getByTestId('rule-editor');
    // CodeMirror draws only the lines near the screen.
    await editor.scrollIntoViewIfNeeded();
    await shows(editor, 'operations:');

    const broken = ruleFile.replace('credits_per_second * billed_seconds', 'credits_per_secnd * billed_seconds');
    const line = broken.split('\n').findIndex((l) => l.includes('credits_per_secnd')) + 1;
    await editor.locator('.cm-content').click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.insertText(broken);
    await shows(page.getByTestId('diagnostics'), `generate.yaml:${line}:`);
    await shows(page.getByTestId('quote-error'), 'The edited rule has 1 error');
    // Jump to it, then the box under the line says what is wrong and what was meant.
    await page.getByRole('button', { name: `Go to line ${line},` }).first().click();
    const box = editor.locator('.cm-diagnostic-error', { hasText: "unknown name 'credits_per_secnd'" });
    await box.waitFor();
    await shows(box, 'credits_per_second');
    const above = await box.evaluate((el) => el.previousElementSibling?.textContent ?? '');
    expect(above).toContain('cost: IF(is_video, credits_per_secnd * billed_seconds');
    expect(await box.getAttribute('data-line')).toBe(String(line));
    await page.screenshot({ path: join(OUTPUT, 'diagnostic-laptop.png'), fullPage: true });

    // Fixed, with a new price: the quote comes back, priced by the edited rule.
    const repriced = ruleFile.replace('{ tool: face_swap,     credits: 3 }', '{ tool: face_swap,     credits: 4 }');
    await editor.locator('.cm-content').click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.insertText(repriced);
    await shows(page.getByTestId('quote-outputs'), /cost\s*4/);
    await shows(page.getByText('priced by the edited rule'), 'edited');
    await shows(page.getByTestId('diagnostics'), 'The edited pack checks clean.');
    expect(await editor.locator('.cm-diagnostic').count()).toBe(0);

    // The one face swap the ledger charged at 3 would have cost 4.
    await page.getByRole('button', { name: 'Compare with the recorded charges' }).click();
    const row = page.getByTestId('impact').locator('tbody tr', { hasText: 'generate' });
    await row.waitFor();
    // requests, changed, newly rejected, newly accepted, before, after, change
    expect(await row.locator('td').allTextContents()).toEqual(['1', '1', '0', '0', '3', '4', '1 (33.33%)']);
    // Its histogram: one bar, one request 1 dearer; the same as a table.
    const histogram = page.getByTestId('impact-histogram');
    expect(await histogram.locator('svg.histogram').getAttribute('aria-label')).toBe('Per-request change of all operations: 1 request from 0 to 1');
    await histogram.getByText('The buckets as a table').click();
    expect(await bucketRows(histogram)).toEqual([['0 < change ≤ 1', '1']]);

    // Over the bundled corpus: the face swaps cost 1 more, every other request is unchanged.
    await page.getByLabel('the bundled corpus').check();
    await page.getByRole('button', { name: 'Compare with the bundled corpus' }).click();
    await shows(page.getByTestId('impact').locator('caption'), 'over the bundled corpus');
    const api = await fetch(`${base}/v1/packs/modelpix/impact`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ files: [{ path: 'generate.yaml', text: repriced }], requests: 'corpus' }),
    }).then((r) => r.json()) as { totals: { histogram: { buckets: { from: string; to: string; count: number }[] } } };
    const buckets = api.totals.histogram.buckets;
    expect(buckets.map((b) => [b.from, b.to])).toEqual([['0', '0'], ['0', '1']]);
    expect(buckets.every((b) => b.count > 0)).toBe(true);
    await histogram.getByText('The buckets as a table').click();
    expect(await bucketRows(histogram)).toEqual([['unchanged (0)', String(buckets[0]!.count)], ['0 < change ≤ 1', String(buckets[1]!.count)]]);
    expect(await histogram.locator('svg.histogram rect.hist-zero').count()).toBe(1);
    expect(await histogram.locator('svg.histogram rect.hist-up').count()).toBe(1);
    await page.getByTestId('impact').scrollIntoViewIfNeeded();
    await page.getByTestId('impact').screenshot({ path: join(OUTPUT, 'impact-laptop.png') });

    await page.getByRole('button', { name: 'Undo all edits' }).click();
    await shows(page.getByTestId('quote-outputs'), /cost\s*3/);
  });

  it("shows an account's balance by grant kind, its entries and its balance over time", async () => {
    await page.getByLabel('Account id').fill('ada');
    await page.getByRole('button', { name: 'Show' }).click();
    const account = page.getByTestId('account');
    // 50 at signup, 100 bought, 3 spent on a face swap.
    await shows(account, /balance\s*147/);
    await shows(account.locator('tr', { hasText: 'purchase' }), 'never expires');
    await shows(account.locator('tr', { hasText: 'signup' }), 'never expires');
    expect(await account.locator('svg.steps circle').count()).toBeGreaterThanOrEqual(2);
  });

  it('labels every control, and fits a phone screen without sideways scrolling', async () => {
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea, button')]
      .filter((el) => !(el as HTMLInputElement).labels?.length && !el.getAttribute('aria-label') && !el.textContent?.trim() && !el.closest('fieldset')?.querySelector('legend'))
      .map((el) => el.outerHTML.slice(0, 80)));
    expect(unlabelled).toEqual([]);

    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByTestId('quote-outputs').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, 'the page is wider than the phone').toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(OUTPUT, 'phone.png'), fullPage: true });
    await page.getByTestId('impact-histogram').screenshot({ path: join(OUTPUT, 'impact-phone.png') });
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});
