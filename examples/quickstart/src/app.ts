/**
 * The quickstart's HTTP service: a few routes that behave like a real API (fast reads, slower writes,
 * occasional errors), each request recorded by yardstick's HTTP server kit as
 * `http.server.request.duration` with the OTel semantic-convention attributes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { HttpServerMetrics } from '@yardstick/sdk';

interface Route {
  readonly method: string;
  readonly template: string;
  readonly pattern: RegExp;
  readonly handle: (res: ServerResponse, match: RegExpExecArray) => Promise<void> | void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

const routes: readonly Route[] = [
  { method: 'GET', template: '/', pattern: /^\/$/, handle: (res) => json(res, 200, { hello: 'yardstick' }) },
  {
    method: 'GET',
    template: '/users/:id',
    pattern: /^\/users\/(\d+)$/,
    async handle(res, match) {
      await sleep(2 + Math.random() * 20);
      const id = Number(match[1]);
      if (id % 13 === 0) json(res, 404, { error: 'user not found' });
      else json(res, 200, { id, name: `user-${id}` });
    },
  },
  {
    method: 'POST',
    template: '/orders',
    pattern: /^\/orders$/,
    async handle(res) {
      await sleep(20 + Math.random() * 80);
      if (Math.random() < 0.05) json(res, 503, { error: 'inventory unavailable' });
      else json(res, 201, { order: Math.floor(Math.random() * 1e6) });
    },
  },
];

/** The route a request matches, with its captures. */
function findRoute(req: IncomingMessage): { route: Route; match: RegExpExecArray } | undefined {
  const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
  for (const route of routes) {
    const match = route.method === req.method ? route.pattern.exec(path) : null;
    if (match) return { route, match };
  }
  return undefined;
}

/**
 * Creates the service, measured by yardstick's HTTP server kit: every request, including unmatched ones,
 * is recorded as `http.server.request.duration`; the kit takes the route template from `findRoute`, and an
 * unmatched path (a 404) gets no `http.route`, so raw paths never become label values.
 *
 * @param servedBy - sent as the `x-served-by` header of every response (which cluster worker answered)
 */
export function createQuickstartServer(http: HttpServerMetrics, servedBy?: string): Server {
  return createServer(
    http.wrap((req: IncomingMessage, res: ServerResponse) => {
      if (servedBy !== undefined) res.setHeader('x-served-by', servedBy);
      const found = findRoute(req);
      if (found === undefined) {
        json(res, 404, { error: 'not found' });
        return;
      }
      Promise.resolve(found.route.handle(res, found.match)).catch(() =>
        json(res, 500, { error: 'internal error' }),
      );
    }),
  );
}

/** The kit's options for this service: routes from the routing table above. */
export const quickstartHttpOptions = { route: (req: IncomingMessage) => findRoute(req)?.route.template };
