/**
 * The telemetry HTTP(S) server: `/metrics`, `/healthz`, and whatever other components mount
 * (`/v1/stats`, `/api/v1/*`). Listens on 127.0.0.1 unless configured otherwise.
 */
import { readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { YardstickError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import {
  type AccessOptions,
  createAccessCheck,
  createMetricsHandler,
  type ExpositionSource,
  type RequestHandler,
} from './metrics-handler.ts';

/** How long close() lets in-flight requests finish before cutting connections. */
const CLOSE_GRACE_MS = 500;

/** Options of {@link startTelemetryServer}. */
export interface TelemetryServerOptions extends AccessOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly metricsPath: string;
  readonly gzip: boolean;
  /** PEM files; when set the server speaks HTTPS. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string } | undefined;
  readonly logger: Logger;
}

/** A route mounted on the telemetry server. */
export interface Route {
  /** Allowed methods; others get 405. */
  readonly methods: readonly string[];
  readonly handler: RequestHandler;
  /** Whether the route is exempt from basic auth (CIDR rules still apply). Default false. */
  readonly public?: boolean;
}

/** A running telemetry server. */
export interface TelemetryServer {
  /** Base URL, e.g. `http://127.0.0.1:9464`. */
  readonly url: string;
  readonly port: number;
  /** Mounts a handler at an exact path (e.g. `/v1/stats`) or, ending in `/*`, a path prefix. */
  mount(path: string, route: Route): void;
  /** Stops accepting connections and closes idle ones. Idempotent. */
  close(): Promise<void>;
}

/** Starts the server; rejects with `YardstickError('SERVER_START')` when it cannot listen. */
export async function startTelemetryServer(
  source: ExpositionSource,
  options: TelemetryServerOptions,
): Promise<TelemetryServer> {
  const exact = new Map<string, Route>();
  const prefixes: Array<[string, Route]> = [];
  const checkCidrOnly = createAccessCheck({ allowedCidrs: options.allowedCidrs });
  const checkAll = createAccessCheck(options);
  const metrics = createMetricsHandler(source, {
    gzip: options.gzip,
    onError: (error) => options.logger.error({ err: error }, 'metrics collection failed'),
  });

  exact.set(options.metricsPath, { methods: ['GET', 'HEAD'], handler: metrics });
  exact.set('/healthz', {
    methods: ['GET', 'HEAD'],
    public: true,
    handler: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok\n');
    },
  });

  const dispatch = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    let route = exact.get(path);
    if (!route) route = prefixes.find(([prefix]) => path.startsWith(prefix))?.[1];
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    if (!route.methods.includes(req.method ?? '')) {
      res
        .writeHead(405, { allow: route.methods.join(', '), 'content-type': 'text/plain; charset=utf-8' })
        .end('method not allowed\n');
      return;
    }
    if (!(route.public ? checkCidrOnly : checkAll)(req, res)) return;
    try {
      route.handler(req, res);
    } catch (error) {
      options.logger.error({ err: error, path }, 'telemetry endpoint failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('internal error\n');
    }
  };

  let server: Server;
  if (options.tls) {
    let cert: Buffer;
    let key: Buffer;
    try {
      cert = readFileSync(options.tls.certFile);
      key = readFileSync(options.tls.keyFile);
    } catch (error) {
      throw new YardstickError('SERVER_START', `cannot read TLS files: ${(error as Error).message}`, {
        cause: error,
      });
    }
    server = createHttpsServer({ cert, key }, dispatch);
  } else {
    server = createHttpServer(dispatch);
  }
  // Scrapers keep connections alive; a short timeout lets close() finish quickly.
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) =>
      reject(
        new YardstickError(
          'SERVER_START',
          `telemetry server cannot listen on ${options.host}:${options.port}: ${error.message}`,
          {
            cause: error,
          },
        ),
      );
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (error) => options.logger.error({ err: error }, 'telemetry server error'));

  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `${options.tls ? 'https' : 'http'}://${host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    mount(path, route) {
      if (path.endsWith('/*')) prefixes.push([path.slice(0, -1), route]);
      else exact.set(path, route);
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        // In-flight scrapes get a moment to finish; then keep-alive sockets must not hold shutdown up.
        const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
