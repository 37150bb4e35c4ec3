import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logging/logger.ts';
import { startTelemetry, type Telemetry } from '../start-telemetry.ts';
import type { ServiceStats } from './service-stats.ts';

let telemetry: Telemetry | undefined;
let app: Server | undefined;

afterEach(async () => {
  if (app) await new Promise((resolve) => app?.close(resolve));
  await telemetry?.shutdown();
  telemetry = undefined;
  app = undefined;
});

describe('/v1/stats right after start', () => {
  it('reports the true request rate within 10 s, long before the store holds a 5m window', async () => {
    telemetry = await startTelemetry({
      env: {},
      configFile: false,
      logger: silentLogger,
      registerGlobal: false,
      server: { port: 0 },
    });
    const kit = telemetry.httpServerMetrics();
    app = createServer(kit.wrap((_req, res) => res.writeHead(200).end('ok')));
    await new Promise<void>((resolve) => app?.listen(0, '127.0.0.1', resolve));
    const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/`;

    // A steady 20 requests/s, counted by the client: the rate the stats must find.
    const started = Date.now();
    let sent = 0;
    const traffic = setInterval(() => {
      sent++;
      void fetch(appUrl).then((r) => r.body?.cancel());
    }, 50);
    const answers: Array<{ atMs: number; rps: number | null; clientRps: number }> = [];
    try {
      while (Date.now() - started < 10_000) {
        await sleep(1_000);
        const stats = (await (await fetch(`${telemetry.url}/v1/stats`)).json()) as ServiceStats;
        const elapsed = (Date.now() - started) / 1000;
        answers.push({
          atMs: Date.now() - started,
          rps: stats.http.requestsPerSecond,
          clientRps: sent / elapsed,
        });
        expect(stats.window).toBe('5m');
      }
    } finally {
      clearInterval(traffic);
    }
    // The timer of a busy machine sends fewer than 20/s; the client's own count is the truth.
    const last = answers.at(-1)!;
    expect(last.rps, JSON.stringify(answers)).not.toBeNull();
    expect(last.rps!).toBeGreaterThan(last.clientRps * 0.75);
    expect(last.rps!).toBeLessThan(last.clientRps * 1.25);
    // A rate needs two collections: the first request makes one, every later answer has a rate.
    expect(
      answers.slice(1).every((a) => a.rps !== null),
      JSON.stringify(answers),
    ).toBe(true);
  });
});
