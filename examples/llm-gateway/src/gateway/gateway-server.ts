/**
 * The gateway's HTTP API on node:http: `POST /v1/chat/completions` (routed with fallback across a model's
 * backends, then across its fallback models), `GET /v1/models`, `GET /v1/stats` (Nexus's StatsResponse, 503
 * without metrics) and `GET /v1/stats/window` (the PromQL summary) when their handlers are given. Errors
 * are answered in OpenAI's error shape so OpenAI client libraries show them as they would show OpenAI's own.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { HttpServerMetrics } from '@yardstick/sdk';
import { nexusErrorType } from '../metrics/nexus-error-type.ts';
import type { NexusMetrics } from '../metrics/nexus-metrics.ts';
import type { BackendRegistry } from './backend-registry.ts';
import { parseChatRequest } from './chat-request.ts';
import { type AttemptFailure, forwardChat } from './forward-chat.ts';
import { type Backend, type GatewayConfig, NO_BACKEND } from './gateway-config.ts';
import type { GatewayMetrics, TokenUsage } from './gateway-metrics.ts';

/** Options of {@link createGatewayServer}. */
export interface GatewayServerOptions {
  readonly config: GatewayConfig;
  readonly metrics: GatewayMetrics;
  /** Nexus's `nexus_*` metrics; their fleet is also the router's (unhealthy backends are skipped). */
  readonly nexus?: NexusMetrics;
  /** The fleet to route with when there are no Nexus metrics; defaults to `nexus.registry`. */
  readonly fleet?: BackendRegistry;
  /** Serves `GET /v1/stats`; the route answers 404 without it. */
  readonly stats?: (res: ServerResponse) => void;
  /** Serves `GET /v1/stats/window`; the route answers 404 without it. */
  readonly windowStats?: (res: ServerResponse) => void;
  /**
   * yardstick's HTTP server kit (`telemetry.httpServerMetrics(GATEWAY_HTTP_OPTIONS)`): records
   * `http.server.request.duration` for every request the gateway serves, its own endpoints included.
   */
  readonly http?: HttpServerMetrics;
}

const ROUTES = new Set(['/v1/chat/completions', '/v1/models', '/v1/stats', '/v1/stats/window']);

/** The HTTP kit's options for the gateway: its endpoints are the only routes. */
export const GATEWAY_HTTP_OPTIONS = {
  route: (req: IncomingMessage): string | undefined => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    return ROUTES.has(path) ? path : undefined;
  },
};

/** The response header naming the backend that answered, so clients and tests can see a fallback. */
export const BACKEND_HEADER = 'x-llm-gateway-backend';

/** The response header naming the fallback model that answered (Nexus's `X-Nexus-Fallback-Model`). */
export const FALLBACK_MODEL_HEADER = 'x-llm-gateway-fallback-model';

/** The `model` label of `nexus_errors_total` for a model the routing table does not have. */
export const UNKNOWN_MODEL = '_unknown';

/**
 * nginx's "client closed request": the status recorded in `nexus_requests_total` for a request whose client
 * went away before an answer, so such requests are counted and never as successes.
 */
const CLIENT_CLOSED = 499;

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  send(res, status, JSON.stringify(body), headers);
}

/** Sends `text` as a JSON answer. */
function send(res: ServerResponse, status: number, text: string, headers: Record<string, string>): void {
  // With its length given, node:http sends head and body in one write; without it, writeHead commits to
  // chunked encoding and a writev of four buffers per answer (seen in a --cpu-prof of the throughput bench).
  res
    .writeHead(status, {
      ...headers,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    })
    .end(text);
}

function openAiError(res: ServerResponse, status: number, type: string, message: string): void {
  json(res, status, { error: { message, type, code: type } });
}

/** Reads the whole body, or answers 413 and resolves undefined when it is larger than `limit` bytes. */
function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Answer at once, then discard the rest instead of cutting the connection: a client still sending
        // would see a reset instead of the 413. Node's requestTimeout bounds a client that never stops.
        req.removeAllListeners('data');
        req.resume();
        res.setHeader('connection', 'close');
        openAiError(res, 413, 'request_too_large', `the request body exceeds ${limit} bytes`);
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.once('error', () => resolve(undefined));
  });
}

async function chatCompletions(
  req: IncomingMessage,
  res: ServerResponse,
  options: GatewayServerOptions,
): Promise<void> {
  const { config, metrics, nexus } = options;
  const fleet = options.fleet ?? nexus?.registry;
  const started = performance.now();
  const text = await readBody(req, res, config.maxBodyBytes);
  if (text === undefined) return;
  const request = parseChatRequest(text);
  if (!request.ok) return openAiError(res, 400, 'invalid_request_error', request.message);
  const route = config.routes.get(request.model);
  // Unknown models are refused before any metric is labelled with them: a client-chosen name never becomes
  // a label value (Nexus's `no_backend` is counted under one fixed model value).
  if (route === undefined) {
    nexus?.error('no_backend', UNKNOWN_MODEL);
    return openAiError(res, 404, 'model_not_found', 'the model does not exist');
  }

  const clientGone = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) clientGone.abort();
  });
  const requested = request.model;
  const candidates = [requested, ...(config.fallbacks.get(requested) ?? [])];
  const seconds = () => (performance.now() - started) / 1000;
  const failures: AttemptFailure[] = [];
  let skipped = 0;
  for (let i = 0; i < candidates.length; i++) {
    const model = candidates[i]!;
    if (i > 0) nexus?.fallback(requested, model);
    const outcome = await forwardChat({
      model,
      route: config.routes.get(model)!,
      // A fallback model is asked for by its own name; the client still sees the model it requested.
      body: i === 0 ? request.body : JSON.stringify({ ...JSON.parse(request.body), model }),
      attemptTimeoutMs: config.attemptTimeoutMs,
      metrics,
      signal: clientGone.signal,
      ...(fleet === undefined ? {} : { fleet }),
    });
    if (outcome.kind === 'cancelled') {
      metrics.request(requested, seconds(), undefined, 'cancelled');
      nexus?.request(requested, NO_BACKEND, CLIENT_CLOSED, seconds());
      nexus?.error('other', requested);
      return;
    }
    if (outcome.kind === 'answered') {
      answered(res, options, requested, model, outcome.backend, outcome, seconds());
      return;
    }
    failures.push(...outcome.failures);
    skipped += outcome.skipped;
  }
  // No failure means nothing was tried: every backend of the model and of its fallbacks is known unhealthy.
  const last = failures.at(-1);
  const status = last === undefined ? 503 : 502;
  metrics.request(requested, seconds(), undefined, String(status));
  nexus?.request(requested, NO_BACKEND, status, seconds());
  nexus?.error(last === undefined ? 'no_healthy_backend' : nexusErrorType(last.errorType), requested);
  if (last === undefined) {
    return openAiError(res, 503, 'no_healthy_backend', `no healthy backend serves ${requested}`);
  }
  json(res, 502, {
    error: {
      message: `every backend of ${requested} failed`,
      type: 'backends_unavailable',
      code: 'backends_unavailable',
      attempts: failures,
      ...(skipped > 0 ? { skipped_unhealthy: skipped } : {}),
    },
  });
}

/** Records and sends an answer of `backend` (serving `model`) to a request for `requested`. */
function answered(
  res: ServerResponse,
  { metrics, nexus }: GatewayServerOptions,
  requested: string,
  model: string,
  backend: Backend,
  outcome: {
    status: number;
    body: unknown;
    text?: string | undefined;
    errorType: string | undefined;
    usage: TokenUsage | undefined;
  },
  seconds: number,
): void {
  metrics.request(requested, seconds, backend, outcome.errorType);
  if (nexus !== undefined) {
    nexus.request(requested, backend.name, outcome.status, seconds);
    if (outcome.errorType !== undefined) nexus.error('backend_error', requested);
    if (outcome.usage !== undefined)
      nexus.tokens(model, backend.name, outcome.usage.input, outcome.usage.output);
  }
  const headers: Record<string, string> = { [BACKEND_HEADER]: backend.name };
  // The answer of the model asked for goes on as the backend wrote it: it was read as a JSON object already.
  if (model === requested && outcome.text !== undefined) {
    send(res, outcome.status, outcome.text, headers);
    return;
  }
  let body = outcome.body;
  if (model !== requested) {
    headers[FALLBACK_MODEL_HEADER] = model;
    if (typeof body === 'object' && body !== null && 'model' in body) body = { ...body, model: requested };
  }
  json(res, outcome.status, body, headers);
}

/** Creates the gateway's server (not listening yet). */
export function createGatewayServer(options: GatewayServerOptions): Server {
  const models = {
    object: 'list',
    data: [...options.config.routes.keys()].map((id) => ({
      id,
      object: 'model',
      created: 0,
      owned_by: 'llm-gateway',
    })),
  };
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    const route = `${req.method} ${path}`;
    if (route === 'POST /v1/chat/completions') {
      chatCompletions(req, res, options).catch(() => {
        if (!res.headersSent) openAiError(res, 500, 'internal_error', 'internal error');
        else res.destroy();
      });
    } else if (route === 'GET /v1/models') {
      json(res, 200, models);
    } else if (route === 'GET /v1/stats' && options.stats !== undefined) {
      options.stats(res);
    } else if (route === 'GET /v1/stats/window' && options.windowStats !== undefined) {
      options.windowStats(res);
    } else {
      openAiError(res, 404, 'not_found', 'no such endpoint');
    }
  };
  return createServer(options.http ? options.http.wrap(listener) : listener);
}
