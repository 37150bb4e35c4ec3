/**
 * The dashboard panel kinds the built-in dashboard does not use (heatmap, gauge, table), in Chromium: a test
 * DashboardConfig, read by exporter-cli's loader, is given to the running service with
 * `telemetry.addDashboard`, and each panel is compared with what /api/v1 answers.
 */
import { parseDashboardConfig } from '@yardstick/exporter-cli';
import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, launchChromium } from './support/chromium.ts';
import { peer } from './support/peers.ts';
import { waitFor } from './support/wait-for.ts';

const browserPeer = peer('chromium');
// generous: Chromium, the service and a second test run may share two busy cores
const EVENTUALLY = { timeout: 40_000 };

const DASHBOARD = `title: Panel kinds
uid: panel-kinds
time: { from: now-15m, to: now }
refresh: 'off'
variables:
  - name: route
    query: label_values(ui_latency_seconds_bucket, http_route)
    multi: true
    includeAll: true
panels:
  - title: Latency buckets
    type: heatmap
    queries:
      - expr: sum by (le) (rate(ui_latency_seconds_bucket{http_route=~"$route"}[$__rate_interval]))
  - title: Queue fill
    type: gauge
    unit: percentunit
    queries:
      - expr: ui_queue_fill_ratio
        legend: '{{queue}}'
    thresholds:
      - { color: green }
      - { value: 0.8, color: red }
  - title: Requests by route
    type: table
    queries:
      - expr: sum by (http_route) (ui_latency_seconds_count)
`;

/** What the test reads of a canvas in the page (the test's own types have no DOM). */
interface PaintedCanvas {
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
  };
}

let telemetry: Telemetry | undefined;
let browser: Browser | undefined;
let page: Page;
let traffic: ReturnType<typeof setInterval> | undefined;
const errors: string[] = [];

async function api(
  path: string,
): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const body = (await (await fetch(`${telemetry!.url}/api/v1/${path}`)).json()) as {
    data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  };
  return body.data.result;
}

afterAll(async () => {
  clearInterval(traffic);
  await browser?.close();
  await telemetry?.shutdown();
});

describe.skipIf(browserPeer.skipReason !== undefined)(
  'dashboard panel kinds in Chromium',
  { timeout: 120_000 },
  () => {
    beforeAll(async () => {
      telemetry = await startTelemetry({
        env: {},
        configFile: false,
        logger: silentLogger,
        registerGlobal: false,
        serviceName: 'web-ui-panels',
        server: { port: 0 },
        collectIntervalMs: 250,
      });
      const meter = telemetry.meter('panels');
      const latency = meter.createHistogram('ui.latency', { unit: 's' });
      // Requests keep coming, so the buckets have rates.
      let i = 0;
      traffic = setInterval(() => {
        i++;
        latency.record(0.003 * (i % 7), { 'http.route': '/a' });
        latency.record(0.4 + 0.1 * (i % 5), { 'http.route': '/b' });
      }, 20);
      meter
        .createObservableGauge('ui.queue.fill', { unit: '1' })
        .addCallback((result) => result.observe(0.9, { queue: 'orders' }));
      telemetry.addDashboard(parseDashboardConfig(DASHBOARD, 'panels.yaml'));
      await waitFor('two collections of the histogram', async () => {
        const rates = await api(`query?query=${encodeURIComponent('rate(ui_latency_seconds_count[1m])')}`);
        return rates.length === 2 && rates.every((r) => Number(r.value[1]) > 0) ? true : undefined;
      });
      browser = await launchChromium(browserPeer.path!);
      page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      page.setDefaultTimeout(40_000);
      collectPageErrors(page, errors);
      await page.goto(`${telemetry.url}/dashboards?uid=panel-kinds`);
      await page.locator('h1', { hasText: 'Panel kinds' }).waitFor();
    }, 120_000);

    it('draws a heatmap with a row per bucket of the histogram', async () => {
      const buckets = await api(
        `query?query=${encodeURIComponent('sum by (le) (rate(ui_latency_seconds_bucket[1m]))')}`,
      );
      const bounds = buckets.map((b) => b.metric.le!).sort((a, b) => Number(a) - Number(b));
      const panel = page.getByRole('region', { name: 'Latency buckets' });
      await expect
        .poll(() => panel.locator('figcaption').textContent(), EVENTUALLY)
        .toBe(`${bounds.length} buckets, le ${bounds[0]} to +Inf`);
      expect(await panel.locator('canvas').getAttribute('aria-label')).toBe(
        `Heatmap of ${bounds.length} buckets`,
      );
      // Cells are painted where buckets had requests: the canvas is not blank.
      const painted = await panel.locator('canvas').evaluate((element) => {
        const canvas = element as unknown as PaintedCanvas;
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let count = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) count++;
        return count;
      });
      expect(painted).toBeGreaterThan(0);
    });

    it('shows the gauge value in its unit, coloured by the threshold it passed, with its legend', async () => {
      const panel = page.getByRole('region', { name: 'Queue fill' });
      // The whole panel's text, so a failure shows what the panel says instead (an error, "No data").
      await expect.poll(() => panel.textContent(), EVENTUALLY).toBe('Queue fill90%orders');
      const value = panel.locator('.stat-value');
      expect(await value.getAttribute('style')).toContain('color: red');
      expect(await panel.locator('.gauge-bar').getAttribute('style')).toContain('width: 90%');
      expect(await panel.locator('.stat-label').textContent()).toBe('orders');
    });

    it('lists the table rows /api/v1/query answers, again after the range changes', async () => {
      // The traffic stops, so the counts hold still; a new range redraws the panels with them.
      clearInterval(traffic);
      const query = `query?query=${encodeURIComponent('sum by (http_route) (ui_latency_seconds_count)')}`;
      let previous = '';
      const expected = await waitFor('counts that stopped growing', async () => {
        await new Promise((resolve) => setTimeout(resolve, 600));
        const now = await api(query);
        const text = JSON.stringify(now.map((r) => r.value[1]));
        const settled = text === previous;
        previous = text;
        return settled ? now : undefined;
      });
      await page.locator('#range').selectOption('5m');
      const rows = page.getByRole('region', { name: 'Requests by route' }).locator('tbody tr');
      await expect
        .poll(() => rows.allTextContents(), EVENTUALLY)
        .toEqual(expected.map((r) => `{http_route="${r.metric.http_route}"}${r.value[1]}`).sort());
    });

    it('offers the variable values with All, and logs no errors', async () => {
      expect(await page.locator('#var-route option').allTextContents()).toEqual(['All', '/a', '/b']);
      expect(errors).toEqual([]);
    });
  },
);
