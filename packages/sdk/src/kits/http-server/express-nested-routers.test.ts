import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import express5 from 'express';
import express4 from 'express4';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, waitUntil } from './testing/kit-harness.ts';

let telemetry: Telemetry | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await telemetry?.shutdown();
  telemetry = undefined;
});

/** The part of express the test uses, which express 4 and 5 share but type apart. */
interface ExpressLike {
  (): RouterLike & ((req: IncomingMessage, res: ServerResponse) => void);
  Router(options?: { mergeParams?: boolean }): RouterLike;
}
interface RouterLike {
  use(...args: unknown[]): unknown;
  get(path: string, handler: Handler): unknown;
}
type Handler = (req: unknown, res: { send(body: string): unknown }) => void;
type ErrorHandler = (error: Error, req: unknown, res: ResponseLike, next: unknown) => void;
interface ResponseLike {
  status(code: number): { send(body: string): unknown };
}

const ok: Handler = (_req, res) => {
  res.send('ok');
};
const fail: Handler = () => {
  throw new Error('handler failed');
};
const handleError: ErrorHandler = (error, _req, res) => {
  res.status(500).send(error.message);
};

/** Routers two levels deep under parameterised mount paths, a sub-app under one, and a RegExp mount. */
function buildApp(express: ExpressLike, middleware: unknown) {
  const app = express();
  app.use(middleware);
  const projects = express.Router();
  projects.get('/items/:itemId', ok);
  projects.get('/fail/:n', fail);
  const tenant = express.Router({ mergeParams: true });
  tenant.get('/items/:itemId', ok);
  tenant.use('/projects/:projectId', projects);
  app.use('/api/:tenant/v1', tenant);
  const org = express();
  org.get('/members/:memberId', ok);
  app.use('/orgs/:org', org);
  const legacy = express.Router();
  legacy.get('/:id', ok);
  app.use(/^\/legacy\/(\w+)/, legacy);
  app.use(handleError);
  return app;
}

/** `http_route` label values of the duration counts on /metrics, with their counts. */
async function routeCounts(t: Telemetry): Promise<Map<string | undefined, number>> {
  const body = await (await fetch(`${t.url}/metrics`)).text();
  const counts = new Map<string | undefined, number>();
  for (const line of body.split('\n')) {
    if (!line.startsWith('http_server_request_duration_seconds_count{')) continue;
    const route = /http_route="([^"]*)"/.exec(line)?.[1];
    counts.set(route, (counts.get(route) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return counts;
}

/**
 * A RegExp mount has no declared template: express 4 keeps its capture groups as keys named by position
 * (`req.params[0]`), so the group becomes `:0`; express 5 keeps no keys, so the route has no template.
 */
describe.each([
  ['express 4', express4 as unknown as ExpressLike, '/legacy/:0/:id'],
  ['express 5', express5 as unknown as ExpressLike, undefined],
])('http.route of nested %s routers, through startTelemetry', (_name, express, regexpMountRoute) => {
  it('keeps the templates of parameterised mount paths two levels deep, never their values', async () => {
    telemetry = await startTelemetry({
      env: {},
      configFile: false,
      logger: silentLogger,
      registerGlobal: false,
      server: { port: 0 },
    });
    const kit = telemetry.httpServerMetrics();
    const server = await listen(createServer(buildApp(express, kit.middleware)));
    cleanups.push(server.close);
    const paths = [
      '/api/acme/v1/items/7',
      '/api/globex/v1/items/8',
      '/api/acme/v1/projects/apollo/items/41',
      '/api/initech/v1/projects/gemini/items/42',
      '/api/acme/v1/projects/apollo/fail/1',
      '/orgs/umbrella/members/3',
      '/orgs/wayne/members/4',
      '/legacy/secret123/9',
    ];
    for (const path of paths) await (await fetch(`http://127.0.0.1:${server.port}${path}`)).text();

    const expected = new Map<string | undefined, number>([
      ['/api/:tenant/v1/items/:itemId', 2],
      ['/api/:tenant/v1/projects/:projectId/items/:itemId', 2],
      ['/api/:tenant/v1/projects/:projectId/fail/:n', 1],
      ['/orgs/:org/members/:memberId', 2],
      [regexpMountRoute, 1],
    ]);
    const t = telemetry;
    await waitUntil(async () => [...(await routeCounts(t)).values()].reduce((a, b) => a + b, 0) >= 8);
    expect(await routeCounts(t)).toEqual(expected);
  });
});
