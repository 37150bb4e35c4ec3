/**
 * contracts/openapi.yaml against a running telemetry server: every documented path is served, and every
 * JSON answer (success and error) validates against the schema the contract gives for its status.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { waitFor } from './support/wait-for.ts';

interface OpenApi {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { $ref?: string; content?: Record<string, unknown> }> }>
  >;
}

const contract = parse(
  readFileSync(join(import.meta.dirname, '../contracts/openapi.yaml'), 'utf8'),
) as OpenApi;
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema(contract, 'openapi');

let telemetry: Telemetry;

async function check(path: string, query: string, status: number): Promise<unknown> {
  const res = await fetch(`${telemetry.url}${path.replace('{name}', '__name__')}${query}`);
  expect(res.status, `${path}${query}`).toBe(status);
  const body = (await res.json()) as unknown;
  const validate = ajv.compile({ $ref: `openapi#${pointerTo(path, status)}` });
  const ok = validate(body);
  expect(ok, `${path}${query}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  return body;
}

/** The JSON pointer of the schema of `path`/`status` inside the contract (following a response $ref). */
function pointerTo(path: string, status: number): string {
  const response = contract.paths[path]!.get!.responses[String(status)]!;
  const escaped = path.replaceAll('~', '~0').replaceAll('/', '~1');
  if (response.$ref) return `${response.$ref.slice(1)}/content/application~1json/schema`;
  return `/paths/${escaped}/get/responses/${status}/content/application~1json/schema`;
}

describe('contracts/openapi.yaml', () => {
  beforeAll(async () => {
    telemetry = await startTelemetry({
      env: {},
      configFile: false,
      logger: silentLogger,
      registerGlobal: false,
      server: { port: 0 },
    });
    const http = telemetry.httpServerMetrics();
    const app = createServer(http.wrap((_req, res) => res.writeHead(200).end('ok')));
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    for (let i = 0; i < 3; i++)
      await fetch(`http://127.0.0.1:${(app.address() as AddressInfo).port}/items/${i}`);
    await new Promise<void>((resolve) => app.close(() => resolve()));
    telemetry.trackPool({ name: 'workers', size: () => 2, idle: () => 1 });
    const dependency = telemetry.trackDependency({
      name: 'redis',
      check: async () => true,
      intervalMs: 60_000,
    });
    await waitFor('the first health check', () => dependency.status().up, {
      timeoutMs: 2_000,
      intervalMs: 10,
    });
    await telemetry.forceFlush();
    await new Promise((r) => setTimeout(r, 20));
    await telemetry.forceFlush();
  });

  afterAll(async () => {
    await telemetry?.shutdown();
  });

  it('documents /v1/stats as it answers, success and bad window alike', async () => {
    const stats = (await check('/v1/stats', '', 200)) as { pools: unknown[]; dependencies: unknown[] };
    expect(stats.pools).toHaveLength(1);
    expect(stats.dependencies).toHaveLength(1);
    await check('/v1/stats', '?window=15m', 200);
    await check('/v1/stats', '?window=never', 400);
  });

  it('documents the Prometheus API envelopes of every /api/v1 path', async () => {
    const now = Math.floor(Date.now() / 1000);
    await check('/api/v1/query', '?query=pool_items', 200);
    await check('/api/v1/query', `?query=${encodeURIComponent('sum(')}`, 400);
    await check('/api/v1/query_range', `?query=pool_items&start=${now - 60}&end=${now}&step=15`, 200);
    await check('/api/v1/query_range', `?query=pool_items&start=${now}&end=${now - 60}&step=15`, 400);
    await check('/api/v1/series', `?${encodeURIComponent('match[]')}=pool_items`, 200);
    await check('/api/v1/labels', '', 200);
    await check('/api/v1/query_exemplars', `?query=${encodeURIComponent('rate(pool_items[5m])')}`, 200);
    await check('/api/v1/query_exemplars', `?query=${encodeURIComponent('sum(')}`, 400);
    await check('/api/v1/label/{name}/values', '', 200);
  });

  it('serves every documented path, and the text ones with a documented content type', async () => {
    for (const [path, methods] of Object.entries(contract.paths)) {
      const res = await fetch(
        `${telemetry.url}${path.replace('{name}', '__name__')}?query=up&${encodeURIComponent('match[]')}=up&start=0&end=1&step=1`,
      );
      expect(res.status, path).not.toBe(404);
      const documented = Object.keys(methods.get?.responses['200']?.content ?? {});
      if (res.status === 200 && documented.length > 0) {
        expect(documented, path).toContain(res.headers.get('content-type'));
      }
      await res.arrayBuffer();
    }
    expect(await (await fetch(`${telemetry.url}/healthz`)).text()).toBe('ok\n');
  });
});
