/**
 * The gateway's HTTP API on node:http: `POST /v1/chat/completions` (routed with fallback),
 * `GET /v1/models`, and `GET /v1/stats` when a stats handler is given. Errors are answered in OpenAI's
 * error shape so OpenAI client libraries show them as they would show OpenAI's own.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { HttpServerMetrics } from '@yardstick/sdk';
import { parseChatRequest } from './chat-request.ts';
import { forwardChat } from './forward-chat.ts';
import type { GatewayConfig } from './gateway-config.ts';
import type { GatewayMetrics } from './gateway-metrics.ts';

/** Options of {@link createGatewayServer}. */
export interface GatewayServerOptions {
  readonly config: GatewayConfig;
  readonly metrics: GatewayMetrics;
  /** Serves `GET /v1/stats`; the route answers 404 without it. */
  readonly stats?: (res: ServerResponse) => void;
  /**
   * yardstick's HTTP server kit (`telemetry.httpServerMetrics(GATEWAY_HTTP_OPTIONS)`): records
   * `http.server.request.duration` for every request the gateway serves, its own endpoints included.
   */
  readonly http?: HttpServerMetrics;
}

const ROUTES = new Set(['/v1/chat/completions', '/v1/models', '/v1/stats']);

/** The HTTP kit's options for the gateway: its three endpoints are the only routes. */
export const GATEWAY_HTTP_OPTIONS = {
  route: (req: IncomingMessage): string | undefined => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    return ROUTES.has(path) ? path : undefined;
  },
};

/** The response header naming the backend that answered, so clients and tests can see a fallback. */
export const BACKEND_HEADER = 'x-llm-gateway-backend';

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify(body));
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
  { config, metrics }: GatewayServerOptions,
): Promise<void> {
  const started = performance.now();
  const text = await readBody(req, res, config.maxBodyBytes);
  if (text === undefined) return;
  const request = parseChatRequest(text);
  if (!request.ok) return openAiError(res, 400, 'invalid_request_error', request.message);
  const route = config.routes.get(request.model);
  // Unknown models are refused before any metric is recorded: a client-chosen name never becomes a label.
  if (route === undefined) return openAiError(res, 404, 'model_not_found', 'the model does not exist');

  const clientGone = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) clientGone.abort();
  });
  const outcome = await forwardChat({
    model: request.model,
    route,
    body: request.body,
    attemptTimeoutMs: config.attemptTimeoutMs,
    metrics,
    signal: clientGone.signal,
  });
  const seconds = () => (performance.now() - started) / 1000;
  switch (outcome.kind) {
    case 'answered':
      metrics.request(request.model, seconds(), outcome.backend, outcome.errorType);
      json(res, outcome.status, outcome.body, { [BACKEND_HEADER]: outcome.backend.name });
      return;
    case 'failed':
      metrics.request(request.model, seconds(), undefined, '502');
      json(res, 502, {
        error: {
          message: `every backend of ${request.model} failed`,
          type: 'backends_unavailable',
          code: 'backends_unavailable',
          attempts: outcome.failures,
        },
      });
      return;
    case 'cancelled':
      metrics.request(request.model, seconds(), undefined, 'cancelled');
      return;
  }
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
    } else {
      openAiError(res, 404, 'not_found', 'no such endpoint');
    }
  };
  return createServer(options.http ? options.http.wrap(listener) : listener);
}
