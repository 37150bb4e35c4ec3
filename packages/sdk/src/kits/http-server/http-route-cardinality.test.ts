/**
 * The hardening issue's scenario through the public API: scanners send thousands of raw paths to an app
 * without route templates for them. `http_route` on /metrics must only ever hold the app's route templates,
 * so the real routes keep their series under a series limit that raw paths would have filled.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import fc from 'fast-check';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, waitUntil } from './testing/kit-harness.ts';

let telemetry: Telemetry | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await telemetry?.shutdown();
  telemetry = undefined;
});

/** What a scanner sends: words, probes, ids, percent-encoded bytes, and now and then a real user URL. */
const segment = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_~-]{1,16}$/),
  fc.constantFrom('wp-admin', 'wp-login.php', '.env', '.git', 'phpmyadmin', 'cgi-bin', 'actuator', 'HEAD'),
  fc.uuid(),
  fc.nat().map(String),
  fc.stringMatching(/^(%[0-9A-F]{2}|[a-z]){1,8}$/),
);
const scannerPath = fc
  .tuple(
    fc.array(segment, { minLength: 1, maxLength: 6 }),
    fc.option(fc.stringMatching(/^[a-z]{1,6}=[A-Za-z0-9]{0,10}$/), { nil: undefined }),
  )
  .map(([segments, query]) => '/' + segments.join('/') + (query === undefined ? '' : '?' + query));
const userPath = fc.nat().map((id) => `/users/${id}`);
/** 500 paths a run, one in ten for the real route; ten runs make the 5,000 paths. */
const batch = fc.array(fc.oneof({ weight: 9, arbitrary: scannerPath }, { weight: 1, arbitrary: userPath }), {
  minLength: 500,
  maxLength: 500,
});
const RUNS = 10;
const USER_ROUTE = /^\/users\/\d+(\?|$)/;

async function start(): Promise<Telemetry> {
  telemetry = await startTelemetry({
    env: {},
    configFile: false,
    logger: silentLogger,
    registerGlobal: false,
    server: { port: 0 },
    // 100 series per metric: far fewer than the raw paths, so any of them would push the real route out.
    cardinality: { defaultLimit: 100 },
  });
  return telemetry;
}

/** Sends every path with a few requests in flight at a time, reading each response to the end. */
async function sendAll(
  send: (path: string) => Response | Promise<Response>,
  paths: readonly string[],
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < paths.length) await (await send(paths[next++]!)).arrayBuffer();
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** The duration series on /metrics, as label strings with their counts. */
async function durationCounts(t: Telemetry): Promise<{ labels: string; count: number }[]> {
  const body = await (await fetch(`${t.url}/metrics`)).text();
  return body
    .split('\n')
    .filter((line) => line.startsWith('http_server_request_duration_seconds_count{'))
    .map((line) => ({
      labels: line.slice(line.indexOf('{'), line.lastIndexOf('}') + 1),
      count: Number(line.slice(line.lastIndexOf(' ') + 1)),
    }));
}

/**
 * Waits (bounded) until /metrics counts `requests` requests, then checks that `http_route` holds only
 * `routes`, that nothing went to the overflow series, and that the real route counted all of its requests.
 */
async function expectOnlyTemplates(t: Telemetry, requests: number, routes: Map<string, number>) {
  const total = async () => (await durationCounts(t)).reduce((sum, series) => sum + series.count, 0);
  await waitUntil(async () => (await total()) >= requests);
  const series = await durationCounts(t);
  const recorded = new Map<string, number>();
  for (const { labels, count } of series) {
    expect(labels).not.toContain('otel_metric_overflow');
    const route = /http_route="([^"]*)"/.exec(labels)?.[1];
    if (route !== undefined) recorded.set(route, (recorded.get(route) ?? 0) + count);
  }
  expect(recorded).toEqual(routes);
  expect(await total()).toBe(requests);
}

describe('http_route under 5,000 random raw paths, through startTelemetry', () => {
  it('holds only route templates for a plain node:http catch-all listener', async () => {
    const t = await start();
    const kit = t.httpServerMetrics({
      // The app's own router knows one route; every other path is answered by the catch-all.
      route: (req: IncomingMessage) => (USER_ROUTE.test(req.url ?? '') ? '/users/:id' : undefined),
    });
    const server = await listen(createServer(kit.wrap((_req, res) => res.end('catch-all'))));
    cleanups.push(server.close);
    let requests = 0;
    let users = 0;
    await fc.assert(
      fc.asyncProperty(batch, async (paths) => {
        await sendAll((path) => fetch(`http://127.0.0.1:${server.port}${path}`), paths);
        requests += paths.length;
        users += paths.filter((path) => USER_ROUTE.test(path)).length;
        await expectOnlyTemplates(t, requests, new Map(users > 0 ? [['/users/:id', users]] : []));
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
  }, 180_000);

  it('with templatePaths, keeps the templated paths under their budget and the real route in its series', async () => {
    const t = await start();
    const kit = t.httpServerMetrics({
      route: (req: IncomingMessage) => (USER_ROUTE.test(req.url ?? '') ? '/users/:id' : undefined),
      templatePaths: { maxValues: 20 },
    });
    const server = await listen(createServer(kit.wrap((_req, res) => res.end('catch-all'))));
    cleanups.push(server.close);
    const paths = fc.sample(batch, { numRuns: 2, seed: 2024 }).flat();
    await sendAll((path) => fetch(`http://127.0.0.1:${server.port}${path}`), paths);
    const users = paths.filter((path) => USER_ROUTE.test(path)).length;
    await waitUntil(
      async () => (await durationCounts(t)).reduce((sum, s) => sum + s.count, 0) >= paths.length,
    );
    const routes = new Map<string, number>();
    for (const { labels, count } of await durationCounts(t)) {
      expect(labels).not.toContain('otel_metric_overflow');
      const route = /http_route="([^"]*)"/.exec(labels)?.[1];
      if (route !== undefined) routes.set(route, (routes.get(route) ?? 0) + count);
    }
    expect(routes.get('/users/:id')).toBe(users);
    expect(routes.size).toBeLessThanOrEqual(21);
  }, 120_000);

  /** A hono app with one route, a middleware on a prefix and a not-found answer. */
  function honoApp(t: Telemetry) {
    const app = new Hono();
    app.use(t.httpServerMetrics().honoMiddleware);
    app.use('/api/*', async (_c, next) => {
      await next();
    });
    app.get('/users/:id', (c) => c.text(`user ${c.req.param('id')}`));
    app.notFound((c) => c.text('not here', 404));
    return app;
  }

  it.each([
    ['@hono/node-server', 'node'],
    ['the fetch API', 'fetch'],
  ] as const)(
    'holds only route templates for hono on %s',
    async (_name, runtime) => {
      const t = await start();
      const app = honoApp(t);
      let send = (path: string) => app.request(path);
      if (runtime === 'node') {
        const server = await listen(createServer(getRequestListener(app.fetch)));
        cleanups.push(server.close);
        send = (path) => fetch(`http://127.0.0.1:${server.port}${path}`);
      }
      let requests = 0;
      let users = 0;
      await fc.assert(
        fc.asyncProperty(batch, async (paths) => {
          await sendAll(send, paths);
          requests += paths.length;
          users += paths.filter((path) => USER_ROUTE.test(path)).length;
          await expectOnlyTemplates(t, requests, new Map(users > 0 ? [['/users/:id', users]] : []));
        }),
        { numRuns: RUNS, endOnFailure: true },
      );
    },
    180_000,
  );
});
