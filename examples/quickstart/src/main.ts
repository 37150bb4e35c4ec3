/**
 * yardstick quickstart: an instrumented HTTP service with its own traffic, `/metrics` on
 * 127.0.0.1:9464. Runs until Ctrl-C and then shuts down cleanly.
 */
import type { AddressInfo } from 'node:net';
import { startTelemetry } from '@yardstick/sdk';
import { createQuickstartServer, quickstartHttpOptions } from './app.ts';
import { startTrafficGenerator } from './traffic.ts';

/** A query to try on the embedded store: p95 latency per route over the last 5 minutes. */
const EXAMPLE_QUERY =
  'histogram_quantile(0.95, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket[5m])))';

const telemetry = await startTelemetry({ serviceName: 'yardstick-quickstart' });
const server = createQuickstartServer(telemetry.httpServerMetrics(quickstartHttpOptions));
const port = Number(process.env.QUICKSTART_PORT ?? 3000);
await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
const appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const stopTraffic = startTrafficGenerator(appUrl, Number(process.env.QUICKSTART_RPS ?? 10));

console.log(`yardstick quickstart is running
  service:  ${appUrl}/  (a traffic generator sends it ~${process.env.QUICKSTART_RPS ?? 10} requests/s)
  metrics:  ${telemetry.url}/metrics
  health:   ${telemetry.url}/healthz
  stats:    ${telemetry.url}/v1/stats
  PromQL:   ${telemetry.url}/api/v1/query?query=${encodeURIComponent(EXAMPLE_QUERY)}
Press Ctrl-C to stop.`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal} received, shutting down`);
  await stopTraffic();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await telemetry.shutdown();
  console.log('stopped cleanly');
}
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
