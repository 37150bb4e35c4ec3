/**
 * The web UI in a real browser: Debian's headless Chromium driven by playwright-core (nothing downloaded)
 * against startTelemetry with a rule file. Types a query and sees metric, label and function completions,
 * runs it as a table and as a graph and compares both with what /api/v1 answers, follows a real firing
 * alert's generatorURL (delivered to a webhook) to the query page, and finds the alert on the alerts page;
 * no console errors on the way, and the pages are reachable from the keyboard.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, launchChromium } from './support/chromium.ts';
import { peer, tempDir } from './support/peers.ts';
import { waitFor } from './support/wait-for.ts';

const browserPeer = peer('chromium');
/** How long a page may take to show something: generous, the machine is shared. */
// generous: Chromium, the service and a second test run may share two busy cores
const EVENTUALLY = { timeout: 40_000 };
const tmp = tempDir('yardstick-web-ui-');

interface ApiSeries {
  metric: Record<string, string>;
  value?: [number, string];
  values?: Array<[number, string]>;
}

let telemetry: Telemetry | undefined;
let receiver: Server | undefined;
let app: Server | undefined;
let browser: Browser | undefined;
let page: Page;
let url: string;
const generatorUrls: string[] = [];
const consoleErrors: string[] = [];

async function api(path: string): Promise<ApiSeries[]> {
  const body = (await (await fetch(`${url}/api/v1/${path}`)).json()) as { data: { result: ApiSeries[] } };
  return body.data.result;
}

/** A label set as the UI prints it: `name{a="x", b="y"}`. */
function seriesName(metric: Record<string, string>): string {
  const { __name__: name = '', ...labels } = metric;
  const pairs = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return pairs.length === 0 ? name : `${name}{${pairs.join(', ')}}`;
}

afterAll(async () => {
  await browser?.close();
  await telemetry?.shutdown();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  await new Promise<void>((resolve) => (app ? app.close(() => resolve()) : resolve()));
  tmp.cleanup();
});

describe.skipIf(browserPeer.skipReason !== undefined)('web UI in Chromium', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
      });
      req.on('end', () => {
        const payload = JSON.parse(body) as {
          status: string;
          alerts: Array<{ status: string; generatorURL: string }>;
        };
        for (const alert of payload.alerts)
          if (alert.status === 'firing') generatorUrls.push(alert.generatorURL);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    const rules = join(tmp.dir, 'rules.yml');
    writeFileSync(
      rules,
      `groups:
  - name: checkout
    interval: 1s
    rules:
      - alert: CardOrdersSeen
        expr: sum by (payment_method) (ui_orders_total{payment_method="card"}) > 0
        labels:
          severity: page
        annotations:
          summary: 'Orders paid by {{ $labels.payment_method }}: {{ $value }}'
`,
    );
    telemetry = await startTelemetry({
      env: {},
      configFile: false,
      logger: silentLogger,
      registerGlobal: false,
      serviceName: 'web-ui-test',
      server: { port: 0 },
      collectIntervalMs: 250,
      // One metric over its series limit, for the status page's overflow highlight.
      cardinality: { limits: { 'ui.sessions': 100 } },
      alerting: {
        ruleFiles: [rules],
        channels: [
          {
            name: 'hook',
            type: 'webhook',
            url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`,
          },
        ],
      },
    });
    url = telemetry.url!;
    // HTTP traffic for the built-in dashboard's request panels, through the sdk's HTTP kit.
    const kit = telemetry.httpServerMetrics({
      route: (req) => (req.url === '/health' ? '/health' : '/users/:id'),
    });
    app = createServer(kit.wrap((_req, res) => res.writeHead(200).end('ok')));
    await new Promise<void>((resolve) => app!.listen(0, '127.0.0.1', resolve));
    const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    for (let i = 0; i < 10; i++)
      await Promise.all([fetch(`${appUrl}/users/${i}`), fetch(`${appUrl}/health`)]);
    const orders = telemetry.meter('checkout').createCounter('ui.orders');
    orders.add(3, { 'payment.method': 'card' });
    orders.add(2, { 'payment.method': 'cash' });
    const sessions = telemetry.meter('checkout').createCounter('ui.sessions');
    for (let i = 0; i < 120; i++) sessions.add(1, { 'session.kind': `kind-${i}` });
    await waitFor('both series in the store', async () =>
      (await api('query?query=ui_orders_total')).length === 2 ? true : undefined,
    );
    browser = await launchChromium(browserPeer.path!);
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(40_000);
    collectPageErrors(page, consoleErrors);
  }, 120_000);

  it('completes metric names, label names and functions while typing', async () => {
    await page.goto(`${url}/graph`);
    const editor = page.locator('.cm-content');
    await editor.click();
    await page.keyboard.type('ui_ord');
    const completions = page.locator('.cm-tooltip-autocomplete');
    const selected = completions.locator('[aria-selected="true"]');
    await expect.poll(() => selected.textContent(), EVENTUALLY).toContain('ui_orders_total');
    // Enter picks the selected completion; CodeMirror ignores it for 75 ms after the list changes (its
    // interaction delay, against picking what just moved under the key), so press again until it is taken.
    await expect
      .poll(async () => {
        const text = await editor.textContent();
        if (text !== 'ui_orders_total') await page.keyboard.press('Enter');
        return text;
      }, EVENTUALLY)
      .toBe('ui_orders_total');
    await page.keyboard.type('{paym');
    await expect.poll(() => completions.textContent(), EVENTUALLY).toContain('payment_method');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+a');
    await page.keyboard.type('sum_ov');
    await expect.poll(() => completions.textContent(), EVENTUALLY).toContain('sum_over_time');
    await page.keyboard.press('Escape');
  });

  it('runs a query as a table, one row per series as /api/v1/query answers it', async () => {
    await page.keyboard.press('Control+a');
    await page.keyboard.type('ui_orders_total');
    await page.getByRole('tab', { name: 'Table' }).click();
    const rows = page.locator('[data-testid="result-table"] tbody tr');
    await expect.poll(() => rows.count(), EVENTUALLY).toBe(2);
    const shown = await rows.evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
    );
    const expected = (await api('query?query=ui_orders_total')).map((s) => [
      seriesName(s.metric),
      s.value![1],
    ]);
    expect(shown.sort()).toEqual(expected.sort());
    expect(new URL(page.url()).searchParams.get('g0.expr')).toBe('ui_orders_total');
    expect(new URL(page.url()).searchParams.get('g0.tab')).toBe('1');
  });

  it('draws the range graph with the series and points of /api/v1/query_range', async () => {
    await page.getByRole('tab', { name: 'Graph' }).click();
    // A fixed end, so this test can ask /api/v1 for the very range the page drew.
    const end = Math.floor(Date.now() / 1000);
    await page.getByLabel('End time (empty for now)').fill(new Date(end * 1000).toISOString());
    await page.getByLabel('Range').fill('5m');
    await page.getByLabel('Resolution in seconds (empty for automatic)').fill('1');
    await page.keyboard.press('Enter');
    const series = await api(`query_range?query=ui_orders_total&start=${end - 300}&end=${end}&step=1`);
    const apiPoints = series.reduce((sum, s) => sum + s.values!.length, 0);
    expect(apiPoints).toBeGreaterThan(0);
    const caption = page.getByTestId('graph-caption');
    await expect
      .poll(() => caption.textContent(), EVENTUALLY)
      .toBe(`2 series, ${apiPoints} points, resolution 1s`);
    expect(await page.locator('.graph canvas').count()).toBe(1);
    const legend = await page.locator('.u-legend .u-series .u-label').allTextContents();
    expect(legend.filter((l) => l !== 'Time').sort()).toEqual(series.map((s) => seriesName(s.metric)).sort());
    expect(new URL(page.url()).searchParams.get('g0.range_input')).toBe('5m');
    // The README's screenshot: `YARDSTICK_UI_SCREENSHOT=docs/images/web-ui-query.png npx vitest run <this file>`.
    const screenshot = process.env.YARDSTICK_UI_SCREENSHOT;
    if (screenshot) await page.screenshot({ path: screenshot });
  });

  it('opens a firing alert’s generatorURL as a table of the rule’s query, and lists the alert', async () => {
    const link = await waitFor('a firing alert at the webhook', () => generatorUrls[0], {
      timeoutMs: 20_000,
    });
    expect(link.startsWith(`${url}/graph?g0.expr=`)).toBe(true);
    await page.goto(link);
    await expect
      .poll(() => page.locator('.cm-content').textContent(), EVENTUALLY)
      .toBe('sum by (payment_method) (ui_orders_total{payment_method="card"}) > 0');
    await expect
      .poll(() => page.getByRole('tab', { name: 'Table' }).getAttribute('aria-selected'), EVENTUALLY)
      .toBe('true');
    const rows = page.locator('[data-testid="result-table"] tbody tr');
    await expect
      .poll(() => rows.allInnerTexts(), EVENTUALLY)
      .toEqual([expect.stringContaining('{payment_method="card"}')]);

    await page.getByRole('link', { name: 'Alerts' }).click();
    await expect
      .poll(() => page.getByTestId('alert-counts').textContent(), EVENTUALLY)
      .toContain('firing (1)');
    const rule = page.locator('details[data-rule="CardOrdersSeen"]');
    const text = await rule.textContent();
    expect(text).toContain('firing');
    expect(text).toContain('severity="page"');
    expect(text).toContain('payment_method="card"');
    expect(text).toContain('summary: Orders paid by card: 3');
    expect(await rule.getAttribute('open')).not.toBeNull();
    // The firing filter hides the rule, and shows it again.
    const firingFilter = page.getByRole('button', { name: 'firing (1)' });
    await firingFilter.click();
    expect(await rule.isHidden()).toBe(true);
    await firingFilter.click();
    expect(await rule.isVisible()).toBe(true);

    await page.getByRole('link', { name: 'Rules' }).click();
    const group = page.locator('section.group', { hasText: 'checkout' });
    await expect.poll(() => group.textContent(), EVENTUALLY).toContain('CardOrdersSeen');
    expect(await group.locator('.health').allTextContents()).toEqual(['ok']);
  });

  it('reaches the navigation from the keyboard', async () => {
    await page.goto(`${url}/status`);
    await expect.poll(() => page.locator('h1').textContent(), EVENTUALLY).toBe('Status');
    expect(await page.getByTestId('config').textContent()).toContain('serviceName: web-ui-test');
    const byMetric = page.getByTestId('Series by metric');
    expect(await byMetric.locator('tr.overflow').allTextContents()).toEqual([
      expect.stringMatching(/^ui_sessions_totalseries limit reached10[01]$/),
    ]);
    expect(await byMetric.textContent()).toContain('ui_orders_total');
    await page.keyboard.press('Tab');
    const focused = page.locator(':focus');
    expect(await focused.textContent()).toBe('Skip to content');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await focused.textContent()).toBe('Query');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${url}/graph`);
    await expect.poll(() => focused.getAttribute('class'), EVENTUALLY).toContain('cm-content');
  });

  it('renders the built-in dashboard with its job variable, a graph per route and a stat', async () => {
    await page.goto(`${url}/dashboards`);
    await expect.poll(() => page.locator('h1').textContent(), EVENTUALLY).toBe('yardstick services');
    const job = page.locator('#var-job');
    expect(await job.locator('option').allTextContents()).toEqual(['All', 'web-ui-test']);
    const routes = await api(
      'query?query=' +
        encodeURIComponent(
          'sum by (http_route) (rate(http_server_request_duration_seconds_count{job=~"web-ui-test"}[5m]))',
        ),
    );
    expect(routes.length).toBe(2);
    const panel = page.getByRole('region', { name: 'HTTP request rate by route' });
    await expect
      .poll(() => panel.getByTestId('graph-caption').textContent(), EVENTUALLY)
      .toMatch(/^2 series, \d+ points/);
    const legend = await panel.locator('.u-legend .u-series .u-label').allTextContents();
    expect(legend.filter((l) => l !== 'Time').sort()).toEqual(routes.map((r) => r.metric.http_route).sort());
    const down = page.getByRole('region', { name: 'Dependencies down' });
    await expect.poll(() => down.getByTestId('stat').textContent(), EVENTUALLY).toBe('0');
    await job.selectOption('web-ui-test');
    await expect.poll(() => new URL(page.url()).searchParams.get('var-job'), EVENTUALLY).toBe('web-ui-test');
    await expect
      .poll(() => panel.getByTestId('graph-caption').textContent(), EVENTUALLY)
      .toMatch(/^2 series/);
  });

  it('works behind basic auth with the credentials the browser was given, and not without', async () => {
    const guarded = await startTelemetry({
      env: {},
      configFile: false,
      logger: silentLogger,
      registerGlobal: false,
      serviceName: 'web-ui-auth',
      server: { port: 0, auth: { username: 'ops', password: 'correct-horse-battery' } },
      collectIntervalMs: 250,
    });
    const context = await browser!.newContext({
      httpCredentials: { username: 'ops', password: 'correct-horse-battery' },
    });
    try {
      const link = `${guarded.url}/graph?g0.expr=up&g0.tab=1`;
      const authed = await context.newPage();
      await authed.goto(link);
      const rows = authed.locator('[data-testid="result-table"] tbody tr');
      await expect
        .poll(() => rows.allTextContents(), EVENTUALLY)
        .toEqual([expect.stringContaining('job="web-ui-auth"')]);
      // Completion asks /api/v1 from inside the page too.
      await authed.locator('.cm-content').click();
      await authed.keyboard.press('Control+a');
      await authed.keyboard.type('target_');
      await expect
        .poll(() => authed.locator('.cm-tooltip-autocomplete').textContent(), EVENTUALLY)
        .toContain('target_info');
      const anonymous = await browser!.newContext();
      expect((await anonymous.request.get(link)).status()).toBe(401);
      await anonymous.close();
    } finally {
      await context.close();
      await guarded.shutdown();
    }
  });

  it('logged no console errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
