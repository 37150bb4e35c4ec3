/**
 * The VictoriaMetrics query proxy's validation, limits and upstream failures, against upstreams that
 * misbehave on purpose (a closed port, one that never answers, one that answers HTML or 500), each answer
 * checked against the schema contracts/openapi.yaml gives for its status. The answers of a real
 * VictoriaMetrics are compared in victoria-metrics.e2e.test.ts.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '@yardstick/sdk';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort } from '../../../../test/support/peers.ts';
import { startServiceServer } from './service-server.ts';
import { createVictoriaProxy, MAX_POINTS, type VictoriaProxyOptions } from './victoria-proxy.ts';

const contract = parse(readFileSync(new URL('../../contracts/openapi.yaml', import.meta.url), 'utf8')) as {
  paths: Record<string, { get: { responses: Record<string, { $ref?: string }> } }>;
};
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema(contract, 'openapi');

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** An upstream answering with `handler`, remembering the requests it got. */
async function upstream(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const requests: { url: string; authorization: string | undefined }[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', authorization: req.headers.authorization });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

/** The proxy on a server of its own; `get(path)` gives status and JSON, checked against the contract. */
async function proxyOn(url: string, options: Partial<VictoriaProxyOptions> = {}) {
  const proxy = createVictoriaProxy({ url, logger: silentLogger, ...options });
  const server = await startServiceServer(
    (req, res) => proxy.handle((req.url ?? '/').split('?', 1)[0]!, req, res),
    '127.0.0.1',
    0,
    'PORT',
  );
  cleanups.push(() => server.close());
  return async (path: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${server.url}${path}`);
    const body = (await res.json()) as Record<string, unknown>;
    const route = path.split('?', 1)[0]!;
    const schema = contract.paths[route]?.get.responses[String(res.status)];
    expect(schema, `${route} ${res.status} is in the contract`).toBeDefined();
    const response =
      schema!.$ref?.slice(1) ?? `/paths/${route.replaceAll('/', '~1')}/get/responses/${res.status}`;
    const validate = ajv.compile({ $ref: `openapi#${response}/content/application~1json/schema` });
    expect(validate(body), `${path}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    return { status: res.status, body };
  };
}

const RANGE = '/api/metrics/query_range';

describe('the VictoriaMetrics query proxy', () => {
  it('checks the parameters before asking upstream', async () => {
    const vm = await upstream((_req, res) => res.writeHead(500).end());
    const get = await proxyOn(vm.url);
    const error = async (query: string) => {
      const { status, body } = await get(`${RANGE}?${query}`);
      return [status, body.errorType, body.error];
    };
    expect(await error('start=1&end=2')).toEqual([400, 'bad_data', 'query is required']);
    expect(await error('query=up&start=1')).toEqual([
      400,
      'bad_data',
      'start and end are required (unix seconds or RFC 3339)',
    ]);
    expect(await error('query=up&start=yesterday&end=2')).toEqual([
      400,
      'bad_data',
      'start must be unix seconds or an RFC 3339 time, not "yesterday"',
    ]);
    expect(await error('query=up&start=10&end=5')).toEqual([400, 'bad_data', 'end must not be before start']);
    expect(await error('query=up&start=1&end=2&step=-1s')).toEqual([
      400,
      'bad_data',
      'step must be a positive duration (15s, 1m) or seconds, not "-1s"',
    ]);
    expect(await error(`query=up&start=0&end=${MAX_POINTS}&step=1`)).toEqual([
      400,
      'bad_data',
      `the range asks for ${MAX_POINTS + 1} points per series; at most ${MAX_POINTS}: use a larger step or a shorter range`,
    ]);
    expect(await error('query=up&query=down&start=1&end=2')).toEqual([
      400,
      'bad_data',
      'query is given 2 times',
    ]);
    expect(await error(`query=${'x'.repeat(4_097)}&start=1&end=2`)).toEqual([
      400,
      'bad_data',
      'query is longer than 4096 characters',
    ]);
    expect(vm.requests).toEqual([]);
  });

  it('forwards the parameters as given, with the URL credentials as basic auth that no answer shows', async () => {
    const vm = await upstream((_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end('{"status":"success","data":{"resultType":"matrix","result":[]}}'),
    );
    const get = await proxyOn(vm.url.replace('http://', 'http://reader:s3cret@'));
    const { status, body } = await get(`${RANGE}?query=sum(up)&start=2026-12-07T07:00:00Z&end=1796626800.5`);
    expect([status, body]).toEqual([200, { status: 'success', data: { resultType: 'matrix', result: [] } }]);
    const forwarded = new URL(vm.requests[0]!.url, 'http://x');
    expect(forwarded.pathname).toBe('/api/v1/query_range');
    expect(Object.fromEntries(forwarded.searchParams)).toEqual({
      query: 'sum(up)',
      start: '2026-12-07T07:00:00Z',
      end: '1796626800.5',
      step: '15s',
    });
    expect(vm.requests[0]!.authorization).toBe(`Basic ${Buffer.from('reader:s3cret').toString('base64')}`);
    const health = await get('/api/metrics/health');
    expect(health.status).toBe(200);
    expect(JSON.stringify(health.body)).not.toContain('s3cret');
  });

  it('answers 400 with VictoriaMetrics verdict on a bad query, 502 on an answer that is none', async () => {
    const vm = await upstream((req, res) => {
      if (req.url?.includes('bad')) {
        res
          .writeHead(422, { 'content-type': 'application/json' })
          .end('{"status":"error","errorType":"422","error":"cannot parse \\"bad(\\""}');
      } else if (req.url?.includes('html')) res.writeHead(200, { 'content-type': 'text/html' }).end('<html>');
      else
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end('{"status":"error","error":"disk full"}');
    });
    const get = await proxyOn(vm.url);
    const bad = await get(`${RANGE}?query=bad(&start=1&end=2`);
    expect([bad.status, bad.body.error]).toEqual([
      400,
      'VictoriaMetrics rejected the query: cannot parse "bad("',
    ]);
    const html = await get(`${RANGE}?query=html&start=1&end=2`);
    expect([html.status, html.body.errorType, html.body.error]).toEqual([
      502,
      'upstream_error',
      'VictoriaMetrics answered 200 with a body that is no JSON',
    ]);
    const broken = await get(`${RANGE}?query=up&start=1&end=2`);
    expect([broken.status, broken.body.error]).toEqual([502, 'VictoriaMetrics answered 500: disk full']);
    const health = await get('/api/metrics/health');
    expect([health.status, health.body.error]).toEqual([502, 'VictoriaMetrics /health answered 500']);
  });

  it('answers 502 when VictoriaMetrics is unreachable and 504 past the timeout', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const unreachable = await (await proxyOn(closed))(`${RANGE}?query=up&start=1&end=2`);
    expect([unreachable.status, unreachable.body.errorType]).toEqual([502, 'upstream_unreachable']);
    expect(unreachable.body.error).toMatch(new RegExp(`^VictoriaMetrics at ${closed} is unreachable`));

    const silent = await upstream(() => undefined);
    const get = await proxyOn(silent.url, { timeoutMs: 300 });
    const late = await get(`${RANGE}?query=up&start=1&end=2`);
    expect([late.status, late.body]).toEqual([
      504,
      {
        status: 'error',
        errorType: 'timeout',
        error: `VictoriaMetrics at ${silent.url} did not answer within 300 ms`,
      },
    ]);
    const services = await get('/api/metrics/services');
    expect(services.status).toBe(504);
  });

  it('answers 503 past maxConcurrent upstream requests and 502 past maxResponseBytes', async () => {
    const slow = await upstream((_req, res) => {
      setTimeout(
        () => res.writeHead(200).end('{"status":"success","data":{"resultType":"matrix","result":[]}}'),
        300,
      );
    });
    const get = await proxyOn(slow.url, { maxConcurrent: 1 });
    const [first, second] = await Promise.all([
      get(`${RANGE}?query=up&start=1&end=2`),
      get(`${RANGE}?query=up&start=1&end=2`),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 503]);

    const large = await upstream((_req, res) =>
      res.writeHead(200).end(`{"status":"success","data":"${'x'.repeat(2_000)}"}`),
    );
    const small = await proxyOn(large.url, { maxResponseBytes: 1_000 });
    const tooLarge = await small(`${RANGE}?query=up&start=1&end=2`);
    expect([tooLarge.status, tooLarge.body.error]).toEqual([
      502,
      "VictoriaMetrics's answer is larger than 1000 bytes",
    ]);
  });

  it('refuses an upstream URL that is not http(s)', () => {
    expect(() => createVictoriaProxy({ url: 'ftp://vm:8428', logger: silentLogger })).toThrow(
      'VICTORIAMETRICS_URL must start with http:// or https://',
    );
    expect(() => createVictoriaProxy({ url: 'vm:8428:x', logger: silentLogger })).toThrow();
  });
});
