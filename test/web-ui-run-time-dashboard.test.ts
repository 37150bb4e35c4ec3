/**
 * A dashboard the service gives the UI at run time, in Chromium: a DashboardConfig file read with
 * `@yardstick/exporter-cli`'s loader (the one `yardstick dashboard` uses), handed to `telemetry.addDashboard`,
 * and drawn by the server's own bundle beside the built-in dashboard, with the numbers /api/v1 answers.
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

const CHECKOUT = `title: Checkout at run time
uid: checkout-run-time
time: { from: now-15m, to: now }
refresh: 'off'
variables:
  - name: method
    query: label_values(checkout_orders_total, payment_method)
    multi: true
    includeAll: true
panels:
  - title: Orders by method
    queries:
      - expr: sum by (payment_method) (rate(checkout_orders_total{payment_method=~"$method"}[$__rate_interval]))
        legend: '{{payment_method}}'
  - title: Queue depth
    type: stat
    width: 6
    queries:
      - expr: sum(checkout_queue_depth)
`;

let telemetry: Telemetry | undefined;
let browser: Browser | undefined;
let page: Page;
let traffic: ReturnType<typeof setInterval> | undefined;
const errors: string[] = [];

async function api(path: string): Promise<Array<{ metric: Record<string, string> }>> {
  const body = (await (await fetch(`${telemetry!.url}/api/v1/${path}`)).json()) as {
    data: { result: Array<{ metric: Record<string, string> }> };
  };
  return body.data.result;
}

afterAll(async () => {
  clearInterval(traffic);
  await browser?.close();
  await telemetry?.shutdown();
});

describe.skipIf(browserPeer.skipReason !== undefined)(
  'a run-time dashboard in Chromium',
  { timeout: 120_000 },
  () => {
    beforeAll(async () => {
      telemetry = await startTelemetry({
        env: {},
        configFile: false,
        logger: silentLogger,
        registerGlobal: false,
        serviceName: 'web-ui-run-time',
        server: { port: 0 },
        collectIntervalMs: 250,
      });
      telemetry.addDashboard(parseDashboardConfig(CHECKOUT, 'checkout.yaml'));
      const meter = telemetry.meter('checkout');
      const orders = meter.createCounter('checkout.orders');
      let i = 0;
      traffic = setInterval(() => {
        i++;
        orders.add(1, { 'payment.method': i % 3 === 0 ? 'card' : 'invoice' });
      }, 20);
      meter
        .createObservableGauge('checkout.queue.depth')
        .addCallback((result) => result.observe(17, { queue: 'orders' }));
      await waitFor('two collections of the counter', async () => {
        const rates = await api(`query?query=${encodeURIComponent('rate(checkout_orders_total[1m]) > 0')}`);
        return rates.length === 2 ? true : undefined;
      });
      browser = await launchChromium(browserPeer.path!);
      page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      page.setDefaultTimeout(40_000);
      collectPageErrors(page, errors);
      await page.goto(`${telemetry.url}/dashboards?uid=checkout-run-time`);
      await page.locator('h1', { hasText: 'Checkout at run time' }).waitFor();
    }, 120_000);

    it('lists it beside the built-in dashboard', async () => {
      const links = page.getByRole('navigation', { name: 'Dashboards' }).locator('a');
      expect(await links.allTextContents()).toEqual(['yardstick services', 'Checkout at run time']);
    });

    it('draws a graph with a series per label value /api/v1 answers, and the stat value', async () => {
      const methods = await api(
        `query?query=${encodeURIComponent('sum by (payment_method) (rate(checkout_orders_total[1m]))')}`,
      );
      const panel = page.getByRole('region', { name: 'Orders by method' });
      await expect
        .poll(() => panel.getByTestId('graph-caption').textContent(), EVENTUALLY)
        .toMatch(new RegExp(`^${methods.length} series, \\d+ points`));
      const legend = await panel.locator('.u-legend .u-series .u-label').allTextContents();
      expect(legend.filter((l) => l !== 'Time').sort()).toEqual(
        methods.map((m) => m.metric.payment_method).sort(),
      );
      const stat = page.getByRole('region', { name: 'Queue depth' });
      await expect.poll(() => stat.getByTestId('stat').textContent(), EVENTUALLY).toBe('17');
    });

    it('filters by its variable, and logs no errors', async () => {
      expect(await page.locator('#var-method option').allTextContents()).toEqual(['All', 'card', 'invoice']);
      await page.locator('#var-method').selectOption('card');
      const panel = page.getByRole('region', { name: 'Orders by method' });
      await expect
        .poll(() => panel.getByTestId('graph-caption').textContent(), EVENTUALLY)
        .toMatch(/^1 series/);
      expect(await panel.locator('.u-legend .u-series .u-label').allTextContents()).toEqual(['Time', 'card']);
      expect(errors).toEqual([]);
    });

    it('shows no data, and no error, for a variable with nothing to choose from', async () => {
      telemetry!.addDashboard({
        title: 'Empty variable',
        uid: 'empty-variable',
        variables: [{ name: 'shard', query: 'label_values(checkout_shards, shard)' }],
        panels: [
          {
            title: 'Depth by shard',
            type: 'stat',
            queries: [{ expr: 'sum(checkout_queue_depth{shard=~"$shard"})' }],
          },
        ],
      });
      await page.goto(`${telemetry!.url}/dashboards?uid=empty-variable`);
      const panel = page.getByRole('region', { name: 'Depth by shard' });
      await expect.poll(() => panel.textContent(), EVENTUALLY).toBe('Depth by shardNo data');
      expect(errors).toEqual([]);
    });

    it('reads a variable with no values again on auto-refresh, so its panels fill in once the data comes', async () => {
      telemetry!.addDashboard({
        title: 'Late data',
        uid: 'late-data',
        refresh: '5s',
        variables: [{ name: 'shard', query: 'label_values(checkout_late_total, shard)' }],
        panels: [
          { title: 'Late', type: 'stat', queries: [{ expr: 'sum(checkout_late_total{shard=~"$shard"})' }] },
        ],
      });
      await page.goto(`${telemetry!.url}/dashboards?uid=late-data`);
      const panel = page.getByRole('region', { name: 'Late' });
      await expect.poll(() => panel.textContent(), EVENTUALLY).toBe('LateNo data');
      telemetry!.meter('checkout').createCounter('checkout.late').add(3, { shard: 'a' });
      await expect.poll(() => panel.getByTestId('stat').textContent(), { timeout: 30_000 }).toBe('3');
      expect(await page.locator('#var-shard option').allTextContents()).toEqual(['a']);
      expect(errors).toEqual([]);
    }, 120_000);

    it('shows a dashboard added while the service runs on the next visit', async () => {
      telemetry!.addDashboard({
        title: 'Added later',
        uid: 'added-later',
        panels: [{ title: 'Depth', type: 'stat', queries: [{ expr: 'sum(checkout_queue_depth)' }] }],
      });
      await page.goto(`${telemetry!.url}/dashboards?uid=added-later`);
      await page.locator('h1', { hasText: 'Added later' }).waitFor();
      const stat = page.getByRole('region', { name: 'Depth' });
      await expect.poll(() => stat.getByTestId('stat').textContent(), EVENTUALLY).toBe('17');
    });
  },
);
