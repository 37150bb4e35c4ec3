/**
 * yardstick quickstart: an instrumented HTTP service with its own traffic, `/metrics` on
 * 127.0.0.1:9464. Runs until Ctrl-C and then shuts down cleanly. `QUICKSTART_PORT` moves the service
 * (default 3000) and `OTEL_EXPORTER_PROMETHEUS_PORT` the telemetry server; 0 picks a free port. A port in
 * use, or any other bad setting, ends the process with one line saying what to change, and exit code 1.
 * `--workers N` serves the app from N `node:cluster` workers, with the telemetry in the primary
 * (`cluster-service.ts`).
 */
import cluster from 'node:cluster';
import { startTelemetry, type Telemetry, YardstickError } from '@yardstick/sdk';
import { serveFromWorkers, serveInWorker } from './cluster-service.ts';
import { readQuickstartSettings } from './quickstart-settings.ts';
import { type Service, serveHere } from './serve.ts';
import { startTrafficGenerator } from './traffic.ts';

/** A query to try on the embedded store: p95 latency per route over the last 5 minutes. */
const EXAMPLE_QUERY =
  'histogram_quantile(0.95, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket[5m])))';

/** Ends the process with `message` as its only output on stderr: no stack trace for a setting to change. */
function exitWith(message: string): never {
  process.stderr.write(`quickstart: ${message}\n`);
  process.exit(1);
}

const settings = readQuickstartSettings(process.env, process.argv.slice(2));
if ('error' in settings) exitWith(settings.error);

if (cluster.isWorker) {
  await serveInWorker(settings.port);
} else {
  let telemetry: Telemetry;
  try {
    telemetry = await startTelemetry({ serviceName: 'yardstick-quickstart' });
  } catch (error) {
    // A ConfigError or SERVER_START error already names the setting and its environment variable.
    if (error instanceof YardstickError) exitWith(error.message);
    throw error;
  }
  let service: Service;
  try {
    service =
      settings.workers > 0
        ? await serveFromWorkers(settings.workers)
        : await serveHere(telemetry, settings.port);
  } catch (error) {
    await telemetry.shutdown();
    exitWith((error as Error).message);
  }
  const stopTraffic = startTrafficGenerator(service.url, settings.requestsPerSecond);

  // The web UI first: its graph of the example query is the quickest look at what the service records.
  const uiQuery = new URLSearchParams({ 'g0.expr': EXAMPLE_QUERY, 'g0.tab': '0', 'g0.range_input': '15m' });
  const servedBy = settings.workers > 0 ? `, served by ${settings.workers} cluster workers` : '';
  console.log(`yardstick quickstart is running
  web UI:   ${telemetry.url}/graph?${uiQuery.toString()}
  service:  ${service.url}/  (a traffic generator sends it ~${settings.requestsPerSecond} requests/s${servedBy})
  metrics:  ${telemetry.url}/metrics
  health:   ${telemetry.url}/healthz
  stats:    ${telemetry.url}/v1/stats
  PromQL:   ${telemetry.url}/api/v1/query?query=${encodeURIComponent(EXAMPLE_QUERY)}
Press Ctrl-C to stop.`);

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal} received, shutting down`);
    await stopTraffic();
    // Workers send their last report as they stop, so the telemetry shuts down after them.
    await service.stop();
    await telemetry.shutdown();
    console.log('stopped cleanly');
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
