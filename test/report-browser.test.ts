/**
 * The HTML report in a real browser: headless Chromium opens the sample report, and any console
 * error or page error fails the test; printing expands every collapsed section; a screenshot is
 * written to test-output/ (not committed) for a person to look at.
 *
 * Stage: report (test). Needs Debian's `chromium` at /usr/bin/chromium and the npm package
 * `playwright-core`; outside CI the test is skipped, saying why, when the browser is missing.
 */

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { audit } from '../src/audit.js';
import { assess } from '../src/findings/groups.js';
import { render } from '../src/report/index.js';

const CHROMIUM = '/usr/bin/chromium';
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUTPUT = join(REPO, 'test-output');
const missing = !existsSync(CHROMIUM);
const skip = missing && !process.env.CI ? `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y --no-install-recommends chromium) to run this test` : false;

/** In the page: how many <details> do not show their content. */
const HIDDEN_DETAILS = "[...document.querySelectorAll('details')].filter((d) => !d.lastElementChild.checkVisibility({ contentVisibilityAuto: true })).length";

describe('HTML report in headless Chromium', { skip }, () => {
  let browser: BrowserContext;
  let profile: string;
  let page: string;

  before(async () => {
    assert.ok(!missing, `${CHROMIUM} is missing; CI must install chromium (.ci/run)`);
    profile = mkdtempSync(join(tmpdir(), 'gil-audit-chromium-'));
    // A fresh profile directory each run (Playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const { run } = await audit([join(REPO, 'fixtures', 'sample')], { jobs: 1 });
    run.roots = ['fixtures/sample'];
    run.cover = { title: 'Concurrency audit of catalog-service <&> "quoted"', project: 'catalog-service', excluded: [], gitignore: true, trackedOnly: false, tests: 'separate' };
    run.assessment = assess(run);
    page = render('html', run);
  });

  after(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('opens without a console error or page error, shows every chapter and draws the call chains', async () => {
    const tab = await browser.newPage();
    await tab.setViewportSize({ width: 1280, height: 900 });
    const problems: string[] = [];
    tab.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    tab.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    tab.on('request', (r) => {
      if (!r.url().startsWith('data:') && !r.url().startsWith('about:')) problems.push(`request: ${r.url()}`);
    });
    await tab.setContent(page, { waitUntil: 'load' });
    assert.equal(await tab.title(), 'Concurrency audit of catalog-service <&> "quoted"');
    const headings = await tab.$$eval('h2', (hs) => hs.map((h) => h.id));
    for (const id of ['contents', 'executive-summary', 'action-plan', 'findings-by-root-cause', 'method-and-limitations', 'how-to-read-the-scores', 'appendix-the-rules']) {
      assert.ok(headings.includes(id), `no chapter #${id} in ${headings.join(', ')}`);
    }
    // Every contents link leads to a heading on the page.
    const targets = await tab.$$eval('h2#contents + ul a', (as) => as.map((a) => a.getAttribute('href') ?? ''));
    assert.ok(targets.length >= 7);
    for (const href of targets) assert.equal(await tab.locator(href).count(), 1, `contents link ${href} has no target`);
    assert.ok((await tab.locator('svg.flowchart').count()) >= 3, 'the helper chains are drawn as SVG');
    assert.ok((await tab.locator('strong.sev-red').count()) > 0, 'severities are coloured');
    mkdirSync(OUTPUT, { recursive: true });
    writeFileSync(join(OUTPUT, 'sample-report.png'), await tab.screenshot({ fullPage: true }));
    assert.deepEqual(problems, []);
    await tab.close();
  });

  it('prints with every collapsed section open', async () => {
    const tab = await browser.newPage();
    await tab.setContent(page, { waitUntil: 'load' });
    // Run in the page (the test is compiled without the DOM's types): how many <details> show no content.
    const hidden = async () => tab.evaluate<number>(HIDDEN_DETAILS);
    const total = await tab.locator('details').count();
    assert.ok(total > 0, 'the sample report has a collapsed section');
    assert.equal(await hidden(), total, 'collapsed on screen');
    await tab.emulateMedia({ media: 'print' });
    // The browser restyles the page for print asynchronously: wait (at most 5 s) for the sections to open.
    await tab.waitForFunction(`${HIDDEN_DETAILS} === 0`, undefined, { timeout: 5000 }).catch(() => undefined);
    assert.equal(await hidden(), 0, 'every <details> is open in print');
    writeFileSync(join(OUTPUT, 'sample-report.pdf'), await tab.pdf({ format: 'A4' }));
    await tab.close();
  });

  it('keeps identifiers in tables whole: no cell breaks a name inside a word', async () => {
    const tab = await browser.newPage();
    await tab.setViewportSize({ width: 800, height: 900 });
    await tab.setContent(page, { waitUntil: 'load' });
    const styles = await tab.evaluate<string[]>(
      "[...new Set([...document.querySelectorAll('td code')].map((c) => getComputedStyle(c).wordBreak + '/' + getComputedStyle(c).overflowWrap))]",
    );
    assert.deepEqual(styles, ['normal/normal']);
    await tab.close();
  });
});
