/**
 * The web dashboard in a real browser: Debian's Chromium, driven by playwright-core, against
 * the app listening on loopback with a token and a graph of ~100 k edges. The page is given
 * the token, shows the graph and its partitions, starts a PageRank job through its form (a
 * fixed 400 steps on two workers, so it runs for a second or two), follows it over
 * Server-Sent Events while it runs, and ends with the job `succeeded`, a convergence plot
 * drawn and the top 10 vertices equal to what `GET /jobs/:id/results?top=10` answers.
 *
 * Screenshots go to a temporary folder and are copied to /tmp/dashboard-shots/ for a person to
 * look at. A missing browser fails the test (it is no reason to skip it).
 */
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importGraph } from '../src/ingest/import-graph.js';
import { dashboardPlugin } from '../src/server/dashboard/plugin.js';
import { buildApp } from '../src/server/index.js';
import { edgeListText, importOptions, preferentialAttachment } from './helpers/generators.js';
import { makeTempDir, openTempCatalog, removeTempDirs, writeGraphFile, type TempCatalog } from './helpers/graph-files.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const TOKEN = 'dashboard-test-token';
const GRAPH = 'web';
/** Steps of the followed job: ~1 s of steps on two workers after ~1 s of loading, time enough to see it run. */
const STEPS = 400;
const SHOTS_FOR_PEOPLE = '/tmp/dashboard-shots';

let temp: TempCatalog;
let app: FastifyInstance;
let base: string;
let browser: Browser;
let page: Page;
let shots: string;
/** What the in-page checks use of the DOM (the test is compiled without the DOM's types). */
interface PageElement {
  querySelector(selector: string): (PageElement & { value?: number }) | null;
  getAttribute(name: string): string | null;
}

/** The job the form started and the page followed to its end. */
let followedJob: number;
/** Console errors, uncaught exceptions and refused requests in the page: there must be none. */
const pageProblems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`dashboard test: no browser at ${CHROMIUM}; install Debian's chromium package (apt-get install chromium) to run the browser test`);
  }
  temp = openTempCatalog();
  const graph = preferentialAttachment(11, 20_000, 5);
  const file = writeGraphFile(temp.inputDir, 'web.txt', edgeListText(graph));
  await importGraph(temp.catalog, { file, name: GRAPH, partitions: 4, ...importOptions(graph, true) });
  app = buildApp({ catalog: temp.catalog, token: TOKEN, rateLimit: false });
  await app.register(dashboardPlugin);
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  shots = makeTempDir('gasworks-dashboard-shots-');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1360, height: 1100 } });
  page.on('console', (message) => {
    // The first calls, made before the token is typed, are refused (401) by design.
    if (message.type() === 'error' && !/401 \(Unauthorized\)/.test(message.text())) pageProblems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    // An event stream the page closes itself ends as an aborted request.
    if (!request.url().includes('/events')) pageProblems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
  });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  temp?.close();
  if (shots && existsSync(shots)) {
    mkdirSync(SHOTS_FOR_PEOPLE, { recursive: true });
    cpSync(shots, SHOTS_FOR_PEOPLE, { recursive: true });
  }
  removeTempDirs();
});

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

async function apiGet(path: string): Promise<unknown> {
  const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(response.status, `GET ${path}`).toBe(200);
  return response.json();
}

describe('web dashboard in headless Chromium', () => {
  it('serves the page, its modules and uPlot without a token, with a content security policy', async () => {
    for (const path of [
      '/',
      '/dashboard/',
      '/dashboard/app.js',
      '/dashboard/style.css',
      '/dashboard/vendor/uPlot.iife.min.js',
      '/dashboard/vendor/uPlot.min.css',
    ]) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).toBe(200);
    }
    const bare = await fetch(`${base}/dashboard`, { redirect: 'manual' });
    expect(bare.status).toBe(302);
    expect(bare.headers.get('location')).toBe('/dashboard/');
    const home = await fetch(`${base}/`);
    expect(home.headers.get('content-type')).toMatch(/^text\/html/);
    expect(home.headers.get('content-security-policy')).toContain("script-src 'self'");
    // Only uPlot's two files are served from its package, and nothing outside the page's folder.
    expect((await fetch(`${base}/dashboard/vendor/uPlot.esm.js`)).status).toBe(404);
    expect((await fetch(`${base}/dashboard/..%2fplugin.ts`)).status).toBeGreaterThanOrEqual(400);
    // The data still needs the token.
    expect((await fetch(`${base}/graphs`)).status).toBe(401);
  });

  it('takes the token, lists the graph and shows its partitions', async () => {
    await page.goto(`${base}/`);
    await page.locator('#notice').filter({ hasText: 'token' }).waitFor();
    await page.getByLabel('API token').fill(TOKEN);
    await page.getByRole('button', { name: 'Save' }).click();
    const row = page.locator('#graphs-table tbody tr', { hasText: GRAPH });
    await row.waitFor();
    expect(await page.locator('#notice').isHidden()).toBe(true);
    expect(await page.evaluate("localStorage.getItem('gasworks.token')")).toBe(TOKEN);
    const cells = await row.locator('td').allTextContents();
    const graph = (await apiGet(`/graphs/${GRAPH}`)) as { vertices: number; edges: number; partitions: number };
    expect(cells[0]).toBe(graph.vertices.toLocaleString('en'));
    expect(cells[1]).toBe(graph.edges.toLocaleString('en'));
    expect(cells[2]).toBe(String(graph.partitions));

    await row.getByRole('button', { name: GRAPH }).click();
    await expect.poll(() => page.locator('#graph-detail table.partitions tbody tr').count()).toBe(4);
    await page.getByRole('button', { name: 'Compare partitioning strategies' }).click();
    await page.locator('#graph-detail .report table tbody tr').first().waitFor();
    await screenshot('1-graphs-and-partitions');
  });

  it('starts a PageRank job from the form, follows it live and shows the plot and the top vertices', async () => {
    const form = page.locator('#start-form');
    await form.getByLabel('Graph').selectOption(GRAPH);
    await expect.poll(() => form.getByLabel('Algorithm').locator('option').count()).toBeGreaterThan(1);
    await form.getByLabel('Algorithm').selectOption('pagerank');
    await form.getByLabel('Options (JSON)').fill(JSON.stringify({ tolerance: 0, maxIterations: STEPS }));
    await form.getByLabel('Workers').fill('2');
    await form.getByRole('button', { name: 'Start' }).click();

    const detail = page.locator('#job-detail');
    await detail
      .locator('[data-part="heading"]')
      .filter({ hasText: /Job #\d+/ })
      .waitFor();
    const id = Number((await detail.locator('[data-part="heading"]').textContent())!.replace(/\D/g, ''));
    expect(new URLSearchParams(new URL(page.url()).hash.slice(1)).get('job')).toBe(String(id));

    // Live: at one moment the job view and the job's row both show it running, part done (checked in the page, at once).
    const percent = await page.waitForFunction(
      (job) => {
        const { document } = globalThis as unknown as { document: PageElement };
        const view = document.querySelector('#job-detail')!;
        const bar = view.querySelector('[data-part="progress"] progress');
        const row = document.querySelector(`#jobs-table tr[data-job="${job}"]`);
        const running = view.getAttribute('data-status') === 'running' && row?.getAttribute('data-status') === 'running';
        return running && bar && row?.querySelector('progress') && view.querySelector('.plot canvas') ? bar.value : null;
      },
      id,
      { timeout: 15_000, polling: 'raf' },
    );
    expect(await percent.jsonValue()).toBeGreaterThan(0);
    expect(await percent.jsonValue()).toBeLessThan(100);
    await screenshot('2-job-running');

    await page.locator('#job-detail[data-status="succeeded"]').waitFor({ timeout: 15_000 });
    await expect.poll(() => detail.locator('table.top-vertices tbody tr').count()).toBe(10);
    await expect.poll(() => page.locator(`#jobs-table tr[data-job="${id}"]`).getAttribute('data-status')).toBe('succeeded');
    expect(await detail.locator('[data-fact="ended"]').textContent()).toContain(`${STEPS} steps`);

    const canvas = await detail.locator('.plot canvas').boundingBox();
    expect(canvas!.width).toBeGreaterThan(300);
    expect(canvas!.height).toBeGreaterThan(100);
    // The plot's title says which aggregate it shows, on a log scale: PageRank's residual.
    expect(await detail.locator('.plot .u-title').textContent()).toBe('change per step (log scale)');

    const expected = (await apiGet(`/jobs/${id}/results?top=10&format=json`)) as { vertex: string | number; value: number }[];
    const shown = await detail
      .locator('table.top-vertices tbody tr')
      .evaluateAll((rows) =>
        rows.map((row) => ({ vertex: row.querySelector('th')!.textContent, value: Number(row.querySelector('td[data-value]')!.getAttribute('data-value')) })),
      );
    expect(shown).toEqual(expected.map((row) => ({ vertex: String(row.vertex), value: row.value })));
    await screenshot('3-job-succeeded');
    followedJob = id;
    expect(pageProblems).toEqual([]);
  });

  it("the page's event reader resumes a dropped stream with Last-Event-ID and sees every event once", async () => {
    const headers = { authorization: `Bearer ${TOKEN}` };
    const whole = await (await fetch(`${base}/jobs/${followedJob}/events`, { headers })).text();
    const events = whole.split('\n\n').filter((block) => block.includes('data:'));
    expect(events.length).toBeGreaterThan(STEPS);
    // The first connection gives three events and drops; the reader must come back asking for those after the third.
    const asked: (string | null)[] = [];
    const url = `${base}/jobs/${followedJob}/events`;
    await page.route(url, async (route) => {
      asked.push(route.request().headers()['last-event-id'] ?? null);
      if (asked.length === 1)
        await route.fulfill({ status: 200, contentType: 'text/event-stream', body: `retry: 50\n\n${events.slice(0, 3).join('\n\n')}\n\n` });
      else await route.continue();
    });
    // As text: vitest would rewrite a dynamic import() inside a function (and the test is compiled without the DOM's types).
    const seen = (await page.evaluate(`(async () => {
      const { followEvents } = await import('/dashboard/sse.js');
      const ids = [];
      await followEvents('/jobs/${followedJob}/events', {
        onEvent: (event) => ids.push(Number(event.id)),
        isLast: (event) => ['succeeded', 'failed', 'cancelled', 'interrupted'].includes(event.type),
      });
      return ids;
    })()`)) as number[];
    await page.unroute(url);
    expect(asked).toEqual([null, '3']);
    expect(seen).toEqual(events.map((_, index) => index + 1));
  });

  it('cancels a running job from its view', async () => {
    const form = page.locator('#start-form');
    await form.getByLabel('Options (JSON)').fill(JSON.stringify({ tolerance: 0, maxIterations: 100_000 }));
    await form.getByRole('button', { name: 'Start' }).click();
    const detail = page.locator('#job-detail');
    await detail
      .locator('[data-part="heading"]')
      .filter({ hasNotText: `#${followedJob}` })
      .waitFor();
    await detail.locator('[data-part="progress"] progress').waitFor({ timeout: 15_000 });
    await detail.getByRole('button', { name: 'Cancel job' }).click();
    await page.locator('#job-detail[data-status="cancelled"]').waitFor({ timeout: 10_000 });
    expect(await detail.getByRole('button', { name: 'Cancel job' }).isHidden()).toBe(true);
    expect(await detail.locator('[data-part="top-note"]').textContent()).toBe('This job left no result.');
    const id = Number((await detail.locator('[data-part="heading"]').textContent())!.replace(/\D/g, ''));
    expect(((await apiGet(`/jobs/${id}`)) as { status: string }).status).toBe('cancelled');
    await screenshot('4-job-cancelled');
    expect(pageProblems).toEqual([]);
  });
});
