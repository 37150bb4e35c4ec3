/**
 * The web UI as startTelemetry serves it: the built bundle behind the same exposure rule and basic auth as
 * `/api/v1`, within its size budget gzipped, and nothing in it pointing anywhere but its own origin.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { UI_GZIP_BUDGET_BYTES, UI_OUT_DIR } from '../packages/sdk/scripts/build-ui.ts';

let telemetry: Telemetry | undefined;
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
});

async function start(extra: Parameters<typeof startTelemetry>[0] = {}): Promise<string> {
  telemetry = await startTelemetry({
    env: {},
    configFile: false,
    logger: silentLogger,
    registerGlobal: false,
    server: { port: 0 },
    ...extra,
  });
  return telemetry.url!;
}

describe('web UI of startTelemetry', () => {
  it('serves the pages and the files the document names, gzipped', async () => {
    const url = await start();
    const page = await fetch(`${url}/alerts`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const files = [...html.matchAll(/(?:src|href)="(\/ui\/[^"]+)"/g)].map((m) => m[1]!);
    expect(files.some((f) => f.endsWith('.js'))).toBe(true);
    expect(files.some((f) => f.endsWith('.css'))).toBe(true);
    for (const file of files) {
      const answer = await fetch(`${url}${file}`, { headers: { 'accept-encoding': 'gzip' } });
      expect(answer.status, file).toBe(200);
      expect(answer.headers.get('content-encoding'), file).toBe('gzip');
      expect((await answer.text()).length, file).toBeGreaterThan(0);
    }
  });

  it('keeps the bundle within its gzipped size budget and loads nothing from other origins', () => {
    const gzipped = readdirSync(UI_OUT_DIR).filter((f) => f.endsWith('.gz'));
    expect(gzipped.length).toBe(3);
    const total = gzipped.reduce((sum, f) => sum + readFileSync(join(UI_OUT_DIR, f)).length, 0);
    expect(total).toBeLessThanOrEqual(UI_GZIP_BUDGET_BYTES);
    const html = readFileSync(join(UI_OUT_DIR, 'index.html'), 'utf8');
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
  });

  it('leaves / to the exposition when the metrics path is /', async () => {
    const url = await start({ server: { port: 0, metricsPath: '/' } });
    expect(await (await fetch(`${url}/`)).text()).toContain('# TYPE');
    expect((await fetch(`${url}/graph`)).headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  it('is off exactly when /api/v1 is off', async () => {
    const url = await start({ query: { api: false } });
    expect((await fetch(`${url}/graph`)).status).toBe(404);
    expect((await fetch(`${url}/api/v1/query?query=up`)).status).toBe(404);
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
  });

  it('serves the dashboards given with telemetry.addDashboard to the UI, and refuses a broken one', async () => {
    const url = await start();
    expect(await (await fetch(`${url}/ui/dashboards.json`)).json()).toEqual([]);
    const dashboard = {
      title: 'Checkout',
      uid: 'checkout',
      panels: [{ title: 'Requests', queries: [{ expr: 'sum(rate(http_requests_total[5m]))' }] }],
    };
    telemetry!.addDashboard(dashboard);
    expect(await (await fetch(`${url}/ui/dashboards.json`)).json()).toEqual([dashboard]);
    expect(() => telemetry!.addDashboard({ title: 'Broken', panels: [{ title: 'P', queries: [] }] })).toThrow(
      'addDashboard("Broken"): panels.0.queries: must be a non-empty array',
    );
  });

  it('asks for the server credentials', async () => {
    const url = await start({
      server: { port: 0, auth: { username: 'ops', password: 'correct-horse-battery' } },
    });
    expect((await fetch(`${url}/graph`)).status).toBe(401);
    const authorization = `Basic ${Buffer.from('ops:correct-horse-battery').toString('base64')}`;
    expect((await fetch(`${url}/graph`, { headers: { authorization } })).status).toBe(200);
    // The status page's configuration: the running one, without the password that protects it.
    const answer = await fetch(`${url}/api/v1/status/config`, { headers: { authorization } });
    const { yaml } = ((await answer.json()) as { data: { yaml: string } }).data;
    expect(yaml).toContain('username: ops');
    expect(yaml).not.toContain('correct-horse-battery');
  });
});
