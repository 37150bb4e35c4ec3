/**
 * The telemetry HTTP(S) server: `/metrics`, `/healthz`, and whatever other components mount
 * (`/v1/stats`, `/api/v1/*`). Listens on 127.0.0.1 unless configured otherwise.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
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
import { readTlsCredentials } from './tls-credentials.ts';
import { type TlsReloader, watchTlsFiles } from './tls-reloader.ts';

/** How long close() lets in-flight requests finish before cutting connections. */
const CLOSE_GRACE_MS = 500;

/** Options of {@link startTelemetryServer}. */
export interface TelemetryServerOptions extends AccessOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly metricsPath: string;
  readonly gzip: boolean;
  /**
   * PEM files; when set the server speaks HTTPS, and reloads them when they change or on SIGHUP (a pair that
   * does not load is logged and the previous certificate kept).
   */
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

/**
 * Starts the server; rejects with `YardstickError('SERVER_START')` when the TLS files do not load (naming the
 * file and the `server.tls` field) or it cannot listen (naming `host:port` and the setting that changes it).
 */
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
  let https: HttpsServer | undefined;
  if (options.tls) {
    const loaded = readTlsCredentials(options.tls);
    if (!loaded.ok) {
      throw new YardstickError(
        'SERVER_START',
        `server.tls.${loaded.field}: ${loaded.file} ${loaded.message}`,
        {
          cause: loaded.cause,
        },
      );
    }
    https = createHttpsServer(loaded.credentials, dispatch);
    server = https;
  } else {
    server = createHttpServer(dispatch);
  }
  // Scrapers keep connections alive; a short timeout lets close() finish quickly.
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) =>
      reject(
        new YardstickError('SERVER_START', listenFailure(options.host, options.port, error), {
          cause: error,
        }),
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
  const tls = options.tls;
  const reloader: TlsReloader | undefined =
    https === undefined || tls === undefined
      ? undefined
      : watchTlsFiles({
          files: tls,
          logger: options.logger,
          apply: (credentials) => https.setSecureContext(credentials),
        });
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    mount(path, route) {
      if (path.endsWith('/*')) prefixes.push([path.slice(0, -1), route]);
      else exact.set(path, route);
    },
    close() {
      reloader?.close();
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

/** One line naming the address, why it failed and the setting (and variable) that changes it. */
function listenFailure(host: string, port: number, error: NodeJS.ErrnoException): string {
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const prefix = `telemetry server cannot listen on ${address}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return `${prefix}: the address is already in use; set server.port (env OTEL_EXPORTER_PROMETHEUS_PORT) to a free port, or 0 for any`;
    case 'EACCES':
      return `${prefix}: permission denied (ports below 1024 need privileges); set server.port (env OTEL_EXPORTER_PROMETHEUS_PORT) to a port above 1023`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${prefix}: ${host} is not an address of this machine; set server.host (env OTEL_EXPORTER_PROMETHEUS_HOST)`;
    default:
      return `${prefix}: ${error.message}`;
  }
}
