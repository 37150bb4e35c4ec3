/**
 * The views as a user of `startTelemetry` sees them on `/metrics`: the overflow series, the self-metrics under
 * their Prometheus names, the one warning per overflowing metric, and adversarial attribute values that are
 * redacted or templated and still give an exposition promtool accepts.
 */
import { spawnSync } from 'node:child_process';
import { startTelemetry, type Telemetry } from '@yardstick/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { peer } from './support/peers.ts';

interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const UNESCAPE: Readonly<Record<string, string>> = { n: '\n', '"': '"', '\\': '\\' };

/** The samples of one metric in a text exposition, label values unescaped. */
function samples(body: string, name: string): Sample[] {
  const out: Sample[] = [];
  for (const line of body.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labels: Record<string, string> = {};
    let i = name.length;
    if (line[i] === '{') {
      i++;
      while (line[i] !== '}') {
        const eq = line.indexOf('=', i);
        const key = line.slice(i, eq);
        let value = '';
        i = eq + 2;
        while (line[i] !== '"') {
          if (line[i] === '\\') {
            value += UNESCAPE[line[i + 1]!] ?? `\\${line[i + 1]}`;
            i += 2;
          } else {
            value += line[i++];
          }
        }
        labels[key] = value;
        i++;
        if (line[i] === ',') i++;
      }
      i++;
    }
    out.push({ labels, value: Number(line.slice(i).trim().split(' ')[0]) });
  }
  return out;
}

function only(list: Sample[], labels: Record<string, string>): Sample {
  const hits = list.filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  expect(hits).toHaveLength(1);
  return hits[0]!;
}

const ADVERSARIAL_ROUTES = [
  'x"} 1\nfake_metric 2',
  'back\\slash\\',
  'ключ/値/🔑',
  '/login?password=hunter2',
  'a'.repeat(5000),
];

let telemetry: Telemetry | undefined;
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
});

async function scrape(): Promise<string> {
  const response = await fetch(`${telemetry!.url}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

/** startTelemetry with a small limit and a budget, then adversarial sets and 110 distinct routes. */
async function startAndRecord() {
  const warnings: object[] = [];
  const quiet = () => undefined;
  telemetry = await startTelemetry({
    env: {},
    configFile: false,
    registerGlobal: false,
    server: { port: 0 },
    store: { enabled: false },
    logger: { debug: quiet, info: quiet, error: quiet, warn: (obj: object) => warnings.push(obj) },
    cardinality: {
      limits: { 'app.requests': 100 },
      attributeBudgets: [{ instrument: 'app.*', key: 'tenant', maxValues: 2 }],
    },
  });
  const counter = telemetry.meter('app').createCounter('app.requests', { description: 'Requests handled.' });
  for (const route of ADVERSARIAL_ROUTES) counter.add(1, { 'http.route': route, tenant: 't0' });
  counter.add(1, { 'url.path': '/users/123/orders/9f1c2e7a55', 'weird "key"}': 'v' });
  // 6 sets so far; 110 more distinct routes: 100 sets keep a series, 16 go to the overflow series.
  for (let i = 0; i < 110; i++) counter.add(1, { 'http.route': `/r${i}`, tenant: `t${i % 4}` });
  return { warnings, counter, body: await scrape() };
}

describe('views on the /metrics of startTelemetry', () => {
  it('shows the overflow series and the self-metrics, warns once, and keeps adversarial values intact', async () => {
    const { warnings, counter, body } = await startAndRecord();
    const requests = samples(body, 'app_requests_total');
    expect(requests).toHaveLength(101);
    expect(only(requests, { otel_metric_overflow: 'true' }).value).toBe(16);
    expect(requests.reduce((sum, s) => sum + s.value, 0)).toBe(116);
    const routes = requests.map((s) => s.labels.http_route);
    expect(routes).toEqual(expect.arrayContaining(ADVERSARIAL_ROUTES.slice(0, 3)));
    expect(routes).toEqual(expect.arrayContaining(['/login?password=[REDACTED]', '[REDACTED]']));
    expect(only(requests, { url_path: '/users/:id/orders/:id' }).labels.weird_key_).toBe('v');
    expect(body).not.toMatch(/^fake_metric/m);

    const overflow = samples(body, 'yardstick_cardinality_overflow_measurements_total');
    expect(only(overflow, { metric: 'app.requests' }).value).toBe(16);
    const series = samples(body, 'yardstick_cardinality_series');
    expect(only(series, { metric: 'app.requests' }).value).toBe(100);
    // tenants t2 and t3 are over the budget of 2 values: 54 of the 110 measurements (i % 4 of 2 or 3), of which
    // 8 came after the limit was full and are in the overflow series; the 46 others carry tenant="__other__".
    const capped = samples(body, 'yardstick_attribute_values_capped_total');
    expect(only(capped, { metric: 'app.requests', key: 'tenant' }).value).toBe(46);
    expect(only(requests, { otel_metric_overflow: 'true' }).value + 46).toBe(16 + 46);
    const other = requests.filter((s) => s.labels.tenant === '__other__');
    expect(other.reduce((sum, s) => sum + s.value, 0)).toBe(46);
    expect(body).not.toMatch(/metric="yardstick\./);

    counter.add(1, { 'http.route': '/another' });
    const again = samples(await scrape(), 'yardstick_cardinality_overflow_measurements_total');
    expect(only(again, { metric: 'app.requests' }).value).toBe(17);
    const cardinalityWarnings = warnings.filter((w) => 'topKeys' in w);
    expect(cardinalityWarnings).toEqual([
      {
        metric: 'app.requests',
        limit: 100,
        topKeys: [
          { key: 'http.route', distinctValues: 99 },
          { key: 'tenant', distinctValues: 3 },
          { key: 'url.path', distinctValues: 1 },
        ],
      },
    ]);
  }, 60_000);

  const promtool = peer('promtool');
  it.skipIf(promtool.skipReason !== undefined)(
    'gives an exposition promtool check metrics accepts',
    async () => {
      const { body } = await startAndRecord();
      const check = spawnSync(promtool.path!, ['check', 'metrics'], {
        input: body,
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
    },
    60_000,
  );
});
