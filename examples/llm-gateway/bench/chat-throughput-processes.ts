/**
 * The gateway processes of the chat-throughput bench. The gateway with metrics on is wired as
 * the demo (`src/main.ts`) wires it, minus the alerting and the demo traffic: `nexus_*`, the GenAI
 * metrics, the HTTP server kit, the HTTP client kit and `/v1/stats`. With metrics off it has the no-op
 * GenAI meter and nothing else. Health checks are off in both, so every backend call is a chat.
 */
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { urlToHttpOptions } from 'node:url';
import { createNoopMeter } from '@opentelemetry/api';
import { silentLogger, startTelemetry } from '@yardstick/sdk';
import { BackendRegistry } from '../src/gateway/backend-registry.ts';
import { parseGatewayConfig } from '../src/gateway/gateway-config.ts';
import { createGatewayMetrics } from '../src/gateway/gateway-metrics.ts';
import { createGatewayServer, GATEWAY_HTTP_OPTIONS } from '../src/gateway/gateway-server.ts';
import { NexusMetrics } from '../src/metrics/nexus-metrics.ts';
import { createNexusStatsHandler } from '../src/metrics/nexus-stats.ts';

/** Starts the gateway in front of `backendUrl`, metrics on or off; its port. */
export async function startBenchGateway(backendUrl: string, metricsOn: boolean): Promise<{ port: number }> {
  const config = parseGatewayConfig({
    backends: { primary: { url: backendUrl }, secondary: { url: backendUrl } },
    models: { 'gpt-4o-mini': ['primary', 'secondary'], 'llama-3.1-8b': ['secondary', 'primary'] },
    healthCheck: { intervalMs: 0 },
  });
  const registry = new BackendRegistry(config);
  let server: Server;
  if (metricsOn) {
    const telemetry = await startTelemetry({
      serviceName: 'llm-gateway-bench',
      server: { port: 0 },
      registerGlobal: false,
      configFile: false,
      env: {},
      logger: silentLogger,
    });
    telemetry.trackHttpClientRequests({
      servers: Object.fromEntries([...config.backends].map(([name, backend]) => [name, backend.url])),
    });
    const nexus = new NexusMetrics(telemetry.meter('nexus', '0.1.0'), registry);
    server = createGatewayServer({
      config,
      metrics: createGatewayMetrics(telemetry.meter('llm-gateway', '0.1.0')),
      nexus,
      stats: createNexusStatsHandler(nexus),
      http: telemetry.httpServerMetrics(GATEWAY_HTTP_OPTIONS),
    });
  } else {
    server = createGatewayServer({
      config,
      metrics: createGatewayMetrics(createNoopMeter()),
      fleet: registry,
    });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port };
}

/**
 * The floor of any gateway on node:http: a proxy that passes each request body to the backend over the
 * same keep-alive agent setup and sends the answer back, with no parsing, routing, fallback or metrics.
 * What the real gateway costs above it is its own; what it costs in all is the platform's.
 */
export async function startBareProxy(backendUrl: string): Promise<{ port: number }> {
  const target = new URL(`${backendUrl}/chat/completions`);
  const agent = new Agent({ keepAlive: true });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => {
      const body = Buffer.concat(chunks);
      const upstream = request(
        {
          ...urlToHttpOptions(target),
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': body.length },
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.once('end', () => {
            const text = Buffer.concat(parts);
            res
              .writeHead(answer.statusCode ?? 502, {
                'content-type': 'application/json',
                'content-length': text.length,
              })
              .end(text);
          });
        },
      );
      upstream.once('error', () => res.writeHead(502).end());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port };
}
