/**
 * The quickstart's HTTP service: a few routes that behave like a real API (fast reads, slower writes,
 * occasional errors), each request recorded as `http.server.request.duration` with the OTel semantic
 * convention attributes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Meter } from '@opentelemetry/api';

/** Bucket boundaries the OTel semantic conventions advise for `http.server.request.duration`. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

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

/**
 * Creates the service. Every request, including unmatched ones, is measured; unmatched paths are recorded
 * without `http.route` so raw paths never become label values.
 */
export function createQuickstartServer(meter: Meter): Server {
  const duration = meter.createHistogram('http.server.request.duration', {
    description: 'Duration of HTTP server requests.',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    let template: string | undefined;
    res.once('finish', () => {
      duration.record((performance.now() - started) / 1000, {
        'http.request.method': req.method ?? 'GET',
        'http.response.status_code': res.statusCode,
        'url.scheme': 'http',
        ...(template ? { 'http.route': template } : {}),
      });
    });
    for (const route of routes) {
      const match = route.method === req.method ? route.pattern.exec(path) : null;
      if (!match) continue;
      template = route.template;
      Promise.resolve(route.handle(res, match)).catch(() => json(res, 500, { error: 'internal error' }));
      return;
    }
    json(res, 404, { error: 'not found' });
  });
}
