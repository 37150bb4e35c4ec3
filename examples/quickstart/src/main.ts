/**
 * yardstick quickstart: an instrumented HTTP service with its own traffic, `/metrics` on
 * 127.0.0.1:9464. Runs until Ctrl-C and then shuts down cleanly. `QUICKSTART_PORT` moves the service
 * (default 3000) and `OTEL_EXPORTER_PROMETHEUS_PORT` the telemetry server; 0 picks a free port. A port in
 * use, or any other bad setting, ends the process with one line saying what to change, and exit code 1.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTelemetry, type Telemetry, YardstickError } from '@yardstick/sdk';
import { createQuickstartServer, quickstartHttpOptions } from './app.ts';
import { readQuickstartSettings } from './quickstart-settings.ts';
import { startTrafficGenerator } from './traffic.ts';

/** A query to try on the embedded store: p95 latency per route over the last 5 minutes. */
const EXAMPLE_QUERY =
  'histogram_quantile(0.95, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket[5m])))';

const HOST = '127.0.0.1';

/** Ends the process with `message` as its only output on stderr: no stack trace for a setting to change. */
function exitWith(message: string): never {
  process.stderr.write(`quickstart: ${message}\n`);
  process.exit(1);
}

/** Listens, or says which address failed and which variable changes it. */
function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'EADDRINUSE'
          ? 'the address is already in use'
          : error.code === 'EACCES'
            ? 'permission denied (ports below 1024 need privileges)'
            : error.message;
      reject(
        new Error(
          `cannot listen on ${HOST}:${port}: ${reason}; set QUICKSTART_PORT to a free port, or 0 for any`,
        ),
      );
    });
    server.listen(port, HOST, resolve);
  });
}

const settings = readQuickstartSettings(process.env);
if ('error' in settings) exitWith(settings.error);

let telemetry: Telemetry;
try {
  telemetry = await startTelemetry({ serviceName: 'yardstick-quickstart' });
} catch (error) {
  // A ConfigError or SERVER_START error already names the setting and its environment variable.
  if (error instanceof YardstickError) exitWith(error.message);
  throw error;
}
const server = createQuickstartServer(telemetry.httpServerMetrics(quickstartHttpOptions));
try {
  await listen(server, settings.port);
} catch (error) {
  await telemetry.shutdown();
  exitWith((error as Error).message);
}
const appUrl = `http://${HOST}:${(server.address() as AddressInfo).port}`;
const stopTraffic = startTrafficGenerator(appUrl, settings.requestsPerSecond);

// The web UI first: its graph of the example query is the quickest look at what the service records.
const uiQuery = new URLSearchParams({ 'g0.expr': EXAMPLE_QUERY, 'g0.tab': '0', 'g0.range_input': '15m' });
console.log(`yardstick quickstart is running
  web UI:   ${telemetry.url}/graph?${uiQuery.toString()}
  service:  ${appUrl}/  (a traffic generator sends it ~${settings.requestsPerSecond} requests/s)
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
