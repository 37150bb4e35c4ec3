/**
 * The Nexus spec's performance targets (seed 004 T063–T066), measured at the demo gateway's own
 * registry size (2 backends, 3 models, every model x backend x status series populated):
 *
 * 1. Recording per request: everything the gateway records for one answered chat (`nexus_*` request,
 *    duration, tokens, and the GenAI client/server metrics) through `startTelemetry`'s meter, raced against
 *    the same calls on the OTel API's no-op meter (`noopMeter`: the cost of the calls and the gateway's own
 *    tally alone). Target < 0.1 ms per request.
 * 2. `GET /metrics` over HTTP (keep-alive): a telemetry server holding the gateway's `nexus_*` families alone
 *    (`yardstick`), raced against prom-client 15 serving the same families and series from a `node:http`
 *    server (`promClient`). Target < 1 ms. Also timed: the whole process's `/metrics` (`yardstickProcess`:
 *    the GenAI histograms, the bench's own series, target_info), for scale.
 * 3. `GET /v1/stats` on the gateway, raced against `GET /v1/models` on the same server (the HTTP floor).
 *    Target < 2 ms.
 *
 * Chat completions through the gateway (FR-020, 10k requests/s) are measured by chat-throughput.ts, with
 * client, gateway and backend in separate processes.
 *
 * Rounds alternate the contenders; the figures are medians over rounds.
 *
 *   npx node --conditions=yardstick-source --expose-gc examples/llm-gateway/bench/nexus-targets.ts [--rounds 7]
 *
 * Writes examples/llm-gateway/bench/results/nexus-targets.json.
 */
import { writeFileSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createNoopMeter, type Meter } from '@opentelemetry/api';
import { silentLogger, startTelemetry } from '@yardstick/sdk';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { startFakeBackend } from '../src/demo/fake-backend.ts';
import { BackendRegistry } from '../src/gateway/backend-registry.ts';
import { type Backend, parseGatewayConfig } from '../src/gateway/gateway-config.ts';
import { createGatewayMetrics } from '../src/gateway/gateway-metrics.ts';
import { createGatewayServer } from '../src/gateway/gateway-server.ts';
import { NEXUS_DURATION_BUCKETS, NEXUS_TOKEN_BUCKETS, NexusMetrics } from '../src/metrics/nexus-metrics.ts';
import { createNexusStatsHandler } from '../src/metrics/nexus-stats.ts';

const args = process.argv.slice(2);
const ROUNDS = args.includes('--rounds') ? Number(args[args.indexOf('--rounds') + 1]) : 7;
const RECORDS_PER_ROUND = 20_000;
const GETS_PER_ROUND = 300;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const round3 = (n: number) => Math.round(n * 1000) / 1000;

const MODELS = ['gpt-4o-mini', 'llama-3.1-8b', 'mistral-small'];
const STATUSES = [200, 400, 502];

const backend = await startFakeBackend({ name: 'bench' });
const config = parseGatewayConfig({
  backends: { primary: { url: backend.url }, secondary: { url: backend.url } },
  models: {
    'gpt-4o-mini': ['primary', 'secondary'],
    'llama-3.1-8b': ['secondary', 'primary'],
    'mistral-small': ['primary'],
  },
  healthCheck: { intervalMs: 0 },
});
const telemetry = await startTelemetry({
  serviceName: 'llm-gateway-bench',
  server: { port: 0 },
  metrics: { process: false },
  registerGlobal: false,
  configFile: false,
  env: {},
  logger: silentLogger,
});

function recorder(meter: Meter) {
  const nexus = new NexusMetrics(meter, new BackendRegistry(config));
  const genAi = createGatewayMetrics(meter);
  const backends = [...config.backends.values()];
  return { nexus, genAi, backends };
}
type Recorder = ReturnType<typeof recorder>;

/** Records what one answered chat records; `i` spreads the calls over every series. */
function recordOne({ nexus, genAi, backends }: Recorder, i: number): void {
  const model = MODELS[i % 3]!;
  const backend = backends[i % 2] as Backend;
  const status = STATUSES[i % 3]!;
  nexus.request(model, backend.name, status, 0.05 + (i % 100) / 100);
  nexus.tokens(model, backend.name, 20 + (i % 50), 80 + (i % 200));
  genAi.attempt(model, backend, 0.05, { usage: { input: 20, output: 80 } });
  genAi.request(model, 0.05, backend, undefined);
}

const contenders = { yardstick: recorder(telemetry.meter('bench')), noopMeter: recorder(createNoopMeter()) };
// Every series exists before the first /metrics round.
for (let i = 0; i < 600; i++) recordOne(contenders.yardstick, i);

// The gateway's nexus_* families alone, in yardstick and in prom-client, with the same series.
const nexusOnly = await startTelemetry({
  serviceName: 'llm-gateway-bench-nexus',
  server: { port: 0 },
  metrics: { process: false },
  registerGlobal: false,
  configFile: false,
  env: {},
  logger: silentLogger,
});
const nexusOnlyMetrics = new NexusMetrics(nexusOnly.meter('nexus'), new BackendRegistry(config));
const prom = new Registry();
const labelNames = (...names: string[]) => ({ labelNames: names, registers: [prom] });
const promRequests = new Counter({
  name: 'nexus_requests_total',
  help: 'requests',
  ...labelNames('model', 'backend', 'status'),
});
const promDuration = new Histogram({
  name: 'nexus_request_duration_seconds',
  help: 'duration',
  buckets: [...NEXUS_DURATION_BUCKETS],
  ...labelNames('model', 'backend'),
});
const promTokens = new Histogram({
  name: 'nexus_tokens_total',
  help: 'tokens',
  buckets: [...NEXUS_TOKEN_BUCKETS],
  ...labelNames('model', 'backend', 'type'),
});
const promLatency = new Histogram({
  name: 'nexus_backend_latency_seconds',
  help: 'health check latency',
  buckets: [...NEXUS_DURATION_BUCKETS],
  ...labelNames('backend'),
});
const promErrors = new Counter({
  name: 'nexus_errors_total',
  help: 'errors',
  ...labelNames('error_type', 'model'),
});
const promFallbacks = new Counter({
  name: 'nexus_fallbacks_total',
  help: 'fallbacks',
  ...labelNames('from_model', 'to_model'),
});
const promPending = new Gauge({ name: 'nexus_pending_requests', help: 'pending', ...labelNames('backend') });
for (const name of ['nexus_backends_total', 'nexus_backends_healthy', 'nexus_models_available']) {
  new Gauge({ name, help: name, registers: [prom] }).set(2);
}
for (const model of MODELS) {
  for (const b of ['primary', 'secondary']) {
    for (const status of STATUSES) {
      promRequests.inc({ model, backend: b, status: String(status) });
      nexusOnlyMetrics.request(model, b, status, 0.3);
    }
    promDuration.observe({ model, backend: b }, 0.3);
    for (const type of ['prompt', 'completion']) promTokens.observe({ model, backend: b, type }, 50);
    nexusOnlyMetrics.tokens(model, b, 50, 50);
  }
  promErrors.inc({ error_type: 'backend_error', model });
  nexusOnlyMetrics.error('backend_error', model);
}
for (const b of ['primary', 'secondary']) {
  promLatency.observe({ backend: b }, 0.01);
  promPending.set({ backend: b }, 0);
  nexusOnlyMetrics.backendLatency(b, 0.01);
}
promFallbacks.inc({ from_model: 'mistral_small', to_model: 'llama_3_1_8b' });
nexusOnlyMetrics.fallback('mistral-small', 'llama-3.1-8b');
const promServer = createServer(async (_req, res) => {
  res.writeHead(200, { 'content-type': prom.contentType }).end(await prom.metrics());
});

const nexus = new NexusMetrics(telemetry.meter('nexus-gateway'), new BackendRegistry(config));
const gatewayOn = createGatewayServer({
  config,
  metrics: createGatewayMetrics(telemetry.meter('gateway')),
  nexus,
  stats: createNexusStatsHandler(nexus),
});
const listen = async (server: Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};
const [promPort, onPort] = [await listen(promServer), await listen(gatewayOn)];
const telemetryPort = Number(new URL(telemetry.url!).port);
const nexusOnlyPort = Number(new URL(nexusOnly.url!).port);
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function send(port: number, path: string, retried = false): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        agent,
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.once('error', (error: NodeJS.ErrnoException) => {
      // A kept-alive socket the server closed while idle (its keepAliveTimeout): retry once on a new one.
      if (req.reusedSocket && error.code === 'ECONNRESET' && !retried) {
        send(port, path, true).then(resolve, reject);
      } else reject(error);
    });
    req.end();
  });
}

/** Median ms of `count` sequential GETs. */
async function getMs(port: number, path: string, count: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    if ((await send(port, path)) !== 200) throw new Error(`GET ${path} did not answer 200`);
    times.push(performance.now() - started);
  }
  return median(times);
}

const bodyBytes = async (port: number) =>
  (await (await fetch(`http://127.0.0.1:${port}/metrics`)).arrayBuffer()).byteLength;
const rounds: Array<Record<string, number>> = [];
for (let r = 0; r < ROUNDS; r++) {
  const row: Record<string, number> = {};
  const order = r % 2 === 0 ? (['yardstick', 'noopMeter'] as const) : (['noopMeter', 'yardstick'] as const);
  for (const name of order) {
    gc();
    const started = performance.now();
    for (let i = 0; i < RECORDS_PER_ROUND; i++) recordOne(contenders[name], i);
    row[`record_${name}_us`] = ((performance.now() - started) * 1000) / RECORDS_PER_ROUND;
  }
  row.metrics_yardstick_ms = await getMs(nexusOnlyPort, '/metrics', GETS_PER_ROUND);
  row.metrics_promClient_ms = await getMs(promPort, '/metrics', GETS_PER_ROUND);
  row.metrics_yardstickProcess_ms = await getMs(telemetryPort, '/metrics', GETS_PER_ROUND);
  row.stats_ms = await getMs(onPort, '/v1/stats', GETS_PER_ROUND);
  row.models_ms = await getMs(onPort, '/v1/models', GETS_PER_ROUND);
  rounds.push(row);
  console.error(
    `round ${r + 1}/${ROUNDS}: ${JSON.stringify(row, (_k, v) => (typeof v === 'number' ? round3(v) : v))}`,
  );
}

const med = (key: string) => round3(median(rounds.map((row) => row[key]!)));
const results = {
  benchmark: 'nexus-targets',
  command: `npx node --conditions=yardstick-source --expose-gc examples/llm-gateway/bench/nexus-targets.ts --rounds ${ROUNDS}`,
  node: process.version,
  cpus: cpus().length,
  loadAverageAtEnd: loadavg().map(round3),
  registry:
    "the demo's: 2 backends, 3 models; 18 nexus_requests_total series and every other nexus_* family (durations, tokens, errors, fallbacks, health latency, fleet gauges)",
  recordingUsPerRequest: {
    yardstick: med('record_yardstick_us'),
    noopMeter: med('record_noopMeter_us'),
    yardstickOverNoop: round3(
      median(rounds.map((row) => row.record_yardstick_us! / row.record_noopMeter_us!)),
    ),
    target: 100,
  },
  metricsEndpointMs: {
    yardstick: med('metrics_yardstick_ms'),
    promClient: med('metrics_promClient_ms'),
    yardstickOverPromClient: round3(
      median(rounds.map((row) => row.metrics_yardstick_ms! / row.metrics_promClient_ms!)),
    ),
    yardstickProcess: med('metrics_yardstickProcess_ms'),
    // yardstick's nexus-only body also has target_info and its self-metrics, and an OTel scope label per series.
    bytes: {
      yardstick: await bodyBytes(nexusOnlyPort),
      promClient: await bodyBytes(promPort),
      yardstickProcess: await bodyBytes(telemetryPort),
    },
    target: 1,
  },
  statsEndpointMs: {
    stats: med('stats_ms'),
    modelsFloor: med('models_ms'),
    statsOverFloor: round3(median(rounds.map((row) => row.stats_ms! / row.models_ms!))),
    target: 2,
  },
  rounds: rounds.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, round3(v)]))),
};
writeFileSync(
  fileURLToPath(new URL('./results/nexus-targets.json', import.meta.url)),
  `${JSON.stringify(results, null, 2)}\n`,
);
console.log(JSON.stringify({ ...results, rounds: undefined }, null, 2));

agent.destroy();
for (const server of [promServer, gatewayOn]) {
  server.closeAllConnections();
  server.close();
}
await telemetry.shutdown();
await nexusOnly.shutdown();
await backend.close();
