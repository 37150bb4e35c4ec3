/**
 * The `/metrics` request handler, usable on its own: mount it in an existing node:http, express or
 * fastify server with {@link createMetricsHandler}, or let the telemetry server do it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { ExpositionFormat } from '../exposition/negotiate.ts';
import { type BasicAuthCredentials, createBasicAuthCheck } from './basic-auth.ts';
import { createCidrMatcher } from './cidr.ts';

/** What the handler needs from a Prometheus reader: format negotiation and a chunked rendering. */
export interface ExpositionSource {
  /** Picks the format for an `Accept` header; returns the format and its `Content-Type`. */
  negotiate(accept: string | undefined): { format: ExpositionFormat; contentType: string };
  /** Collects once and yields the exposition in chunks (text, or bytes for protobuf). */
  render(format: ExpositionFormat): Promise<AsyncIterable<string | Uint8Array>>;
}

/** Access control shared by every endpoint of the telemetry server. */
export interface AccessOptions {
  /** Basic-auth credentials; when set, requests without them get 401. */
  readonly auth?: BasicAuthCredentials | undefined;
  /** Client CIDRs allowed to connect; when set, other clients get 403. */
  readonly allowedCidrs?: readonly string[] | undefined;
}

/** Options of {@link createMetricsHandler}. */
export interface MetricsHandlerOptions extends AccessOptions {
  /** Compress with gzip when the client accepts it (default true). */
  readonly gzip?: boolean | undefined;
  /** Called when a collection fails; the client gets a 500 without details. */
  readonly onError?: ((error: unknown) => void) | undefined;
}

/** A node:http style handler; also works as express/fastify-raw middleware. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Returns whether the request may proceed; answers 403/401 itself otherwise. */
export type AccessCheck = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Builds the CIDR + basic-auth gate used in front of every endpoint. */
export function createAccessCheck(options: AccessOptions): AccessCheck {
  const allowed = options.allowedCidrs?.length ? createCidrMatcher(options.allowedCidrs) : undefined;
  const authorized = options.auth ? createBasicAuthCheck(options.auth) : undefined;
  return (req, res) => {
    if (allowed && !allowed(req.socket.remoteAddress)) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('forbidden\n');
      return false;
    }
    if (authorized && !authorized(req.headers.authorization)) {
      res
        .writeHead(401, {
          'content-type': 'text/plain; charset=utf-8',
          'www-authenticate': 'Basic realm="yardstick", charset="UTF-8"',
        })
        .end('unauthorized\n');
      return false;
    }
    return true;
  };
}

/** Whether an `Accept-Encoding` header accepts gzip (with a q-value above zero). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  for (const part of header.split(',')) {
    const [coding = '', ...params] = part.trim().split(';');
    const name = coding.trim().toLowerCase();
    if (name !== 'gzip' && name !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) return true;
  }
  return false;
}

/**
 * Creates the `/metrics` handler. It answers GET and HEAD (405 otherwise), applies the access options,
 * negotiates text 0.0.4, OpenMetrics or protobuf from `Accept`, and gzips when the client accepts it.
 *
 * @example
 * ```ts
 * const telemetry = await startTelemetry({ server: { enabled: false } });
 * app.get('/metrics', createMetricsHandler(telemetry.prometheus));
 * ```
 */
export function createMetricsHandler(
  source: ExpositionSource,
  options: MetricsHandlerOptions = {},
): RequestHandler {
  const check = createAccessCheck(options);
  const gzip = options.gzip ?? true;
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res
        .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' })
        .end('method not allowed\n');
      return;
    }
    if (!check(req, res)) return;
    void serveExposition(source, req, res, gzip, options.onError);
  };
}

async function serveExposition(
  source: ExpositionSource,
  req: IncomingMessage,
  res: ServerResponse,
  gzip: boolean,
  onError: ((error: unknown) => void) | undefined,
): Promise<void> {
  const { format, contentType } = source.negotiate(req.headers.accept);
  let chunks: AsyncIterable<string | Uint8Array>;
  try {
    chunks = await source.render(format);
  } catch (error) {
    onError?.(error);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('collection failed\n');
    return;
  }
  const compress = gzip && acceptsGzip(req.headers['accept-encoding']);
  const headers: Record<string, string> = { 'content-type': contentType, vary: 'Accept, Accept-Encoding' };
  if (compress) headers['content-encoding'] = 'gzip';
  res.writeHead(200, headers);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  try {
    const body = Readable.from(chunks, { objectMode: false });
    await (compress ? pipeline(body, createGzip(), res) : pipeline(body, res));
  } catch (error) {
    // The client went away or the collection failed mid-stream; the response is already cut.
    onError?.(error);
    res.destroy();
  }
}
