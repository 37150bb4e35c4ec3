/**
 * The "plug into an existing OTel pipeline" path from docs/deployment.md: no startTelemetry, the app's
 * own MeterProvider gets yardstick's Prometheus reader and views, and its own HTTP server mounts /metrics.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { createMetricsHandler, PrometheusReader } from '@yardstick/sdk';
import { createYardstickViews } from '@yardstick/views';
import { afterEach, describe, expect, it } from 'vitest';

let server: Server | undefined;
let provider: MeterProvider | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await provider?.shutdown();
});

describe('yardstick pieces on an existing MeterProvider', () => {
  it('serves /metrics from the app server with limits and redaction applied', async () => {
    const prometheus = new PrometheusReader();
    const yardstick = createYardstickViews({ defaultLimit: 100 });
    provider = new MeterProvider({ readers: [prometheus], views: yardstick.views });
    const meterProvider = yardstick.bindMeterProvider(provider);

    const handler = createMetricsHandler(prometheus);
    server = createServer((req, res) =>
      req.url === '/metrics' ? handler(req, res) : res.writeHead(404).end(),
    );
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;

    const logins = meterProvider.getMeter('auth').createCounter('logins');
    for (let user = 0; user < 150; user++) logins.add(1, { tenant: String(user) });
    logins.add(1, { 'client.address': '203.0.113.7', tenant: '0' });

    const body = await (await fetch(url)).text();
    const series = body.split('\n').filter((line) => line.startsWith('logins_total{'));
    // 100 admitted sets + the overflow set; the sum over all of them is every measurement
    expect(series).toHaveLength(101);
    expect(body).toMatch(/^logins_total\{otel_metric_overflow="true"[^}]*\} 50$/m);
    expect(series.reduce((total, line) => total + Number(line.split(' ').pop()), 0)).toBe(151);
    expect(body).not.toContain('203.0.113.7');
  });
});
