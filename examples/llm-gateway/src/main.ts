/**
 * The LLM gateway demo: two fake OpenAI-compatible backends (a flaky primary, a healthy secondary), the
 * gateway routing three models across them with fallback, a little traffic, alerts printed as they fire,
 * `/metrics` on the telemetry server (Nexus's `nexus_*` metrics beside the GenAI ones) and `/v1/stats` on
 * the gateway. With `LLM_GATEWAY_CONFIG` pointing at
 * a routing-table JSON file, it serves real backends instead, without fakes or traffic.
 * Runs until Ctrl-C and then shuts down cleanly.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startTelemetry } from '@yardstick/sdk';
import { type FakeBackend, startFakeBackend } from './demo/fake-backend.ts';
import { startChatTraffic } from './demo/traffic.ts';
import { startWebhookReceiver } from './demo/webhook-receiver.ts';
import { BackendRegistry } from './gateway/backend-registry.ts';
import { type GatewayConfig, type GatewayConfigInput, parseGatewayConfig } from './gateway/gateway-config.ts';
import { createGatewayMetrics } from './gateway/gateway-metrics.ts';
import { createGatewayServer, GATEWAY_HTTP_OPTIONS } from './gateway/gateway-server.ts';
import { startHealthChecks } from './gateway/health-checker.ts';
import { NexusMetrics } from './metrics/nexus-metrics.ts';
import { createNexusStatsHandler } from './metrics/nexus-stats.ts';
import { createStatsHandler } from './stats/gateway-stats.ts';

const RULE_FILE = fileURLToPath(new URL('../rules/gateway.rules.yml', import.meta.url));
const configFile = process.env.LLM_GATEWAY_CONFIG;

const fakes: FakeBackend[] = [];
let routing: GatewayConfigInput;
if (configFile === undefined) {
  const primary = await startFakeBackend({ name: 'primary', failureRate: 0.3, latencyMs: [50, 400] });
  const secondary = await startFakeBackend({ name: 'secondary', latencyMs: [100, 600] });
  fakes.push(primary, secondary);
  routing = {
    backends: { primary: { url: primary.url }, secondary: { url: secondary.url } },
    models: {
      'gpt-4o-mini': ['primary', 'secondary'],
      'llama-3.1-8b': ['secondary', 'primary'],
      'mistral-small': ['primary'],
    },
    // When primary fails mistral-small's request, llama-3.1-8b answers it (nexus_fallbacks_total).
    fallbacks: { 'mistral-small': ['llama-3.1-8b'] },
    attemptTimeoutMs: 2_000,
    healthCheck: { intervalMs: 5_000 },
  };
} else {
  try {
    routing = JSON.parse(readFileSync(configFile, 'utf8')) as GatewayConfigInput;
  } catch (error) {
    console.error(`llm-gateway: cannot read ${configFile}: ${(error as Error).message}`);
    process.exit(1);
  }
}
let config: GatewayConfig;
try {
  config = parseGatewayConfig(routing);
} catch (error) {
  // A GatewayError lists every problem as `path: message` lines: print them, not a stack trace.
  console.error(`llm-gateway: ${configFile ?? 'built-in config'}: ${(error as Error).message}`);
  process.exit(1);
}

const receiver = await startWebhookReceiver((alert) => {
  const labels = Object.entries(alert.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  console.log(
    `alert ${alert.status}: ${labels}${alert.annotations.summary ? ` - ${alert.annotations.summary}` : ''}`,
  );
});
const telemetry = await startTelemetry({
  serviceName: 'llm-gateway',
  collectIntervalMs: 5_000,
  alerting: {
    ruleFiles: [RULE_FILE],
    evaluationIntervalMs: 5_000,
    channels: [{ name: 'console', type: 'webhook', url: receiver.url }],
  },
});
const models = [...config.routes.keys()];
const registry = new BackendRegistry(config);
const nexus = new NexusMetrics(telemetry.meter('nexus', '0.1.0'), registry);
const stopHealthChecks = startHealthChecks(registry, config.healthCheck, (backend, seconds) =>
  nexus.backendLatency(backend.name, seconds),
);
// http.client.request.duration of every backend call (chats and health checks), server.address being the
// backend's name from the routing table. Stopped by telemetry.shutdown().
telemetry.trackHttpClientRequests({
  servers: Object.fromEntries([...config.backends].map(([name, backend]) => [name, backend.url])),
});
const server = createGatewayServer({
  config,
  metrics: createGatewayMetrics(telemetry.meter('llm-gateway', '0.1.0')),
  nexus,
  stats: createNexusStatsHandler(nexus),
  windowStats: createStatsHandler(telemetry.store, models),
  http: telemetry.httpServerMetrics(GATEWAY_HTTP_OPTIONS),
});
const port = Number(process.env.LLM_GATEWAY_PORT ?? 4000);
await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
const gatewayUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const rate = Number(process.env.LLM_GATEWAY_RPS ?? 5);
const stopTraffic = fakes.length > 0 ? startChatTraffic(gatewayUrl, models, rate) : async () => undefined;

console.log(`yardstick LLM gateway is running
  gateway:  ${gatewayUrl}/v1/chat/completions  (models: ${models.join(', ')})
  stats:    ${gatewayUrl}/v1/stats  (Nexus StatsResponse; 5-minute PromQL summary at /v1/stats/window)
  metrics:  ${telemetry.url}/metrics
  PromQL:   ${telemetry.url}/api/v1/query?query=${encodeURIComponent('sum by (model, backend, status) (nexus_requests_total)')}
${fakes.length > 0 ? `  backends: primary ${fakes[0]!.url} (30% 503s), secondary ${fakes[1]!.url}\n  traffic:  ~${rate} chat requests/s\n` : ''}Alerts are printed below as they fire and resolve. Press Ctrl-C to stop.`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal} received, shutting down`);
  await stopTraffic();
  await stopHealthChecks();
  server.closeIdleConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await telemetry.shutdown();
  await receiver.close();
  await Promise.all(fakes.map((fake) => fake.close()));
  console.log('stopped cleanly');
}
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
