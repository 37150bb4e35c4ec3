/**
 * Listening for the quickstart's service: in this process, or (see `cluster-service.ts`) in each worker.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Telemetry } from '@yardstick/sdk';
import { createQuickstartServer, quickstartHttpOptions } from './app.ts';

/** The service's address: local only, as the telemetry server's. */
export const HOST = '127.0.0.1';

/** The running service. */
export interface Service {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Stops serving; resolves once every connection is closed. */
  stop(): Promise<void>;
}

/** Listens, or rejects with one line saying which address failed and which variable changes it. */
export function listen(server: Server, port: number): Promise<void> {
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

/** Serves the app in this process on `port`, measured through `telemetry`. */
export async function serveHere(
  telemetry: Telemetry,
  port: number,
  servedBy?: string,
): Promise<Service & { readonly server: Server }> {
  const server = createQuickstartServer(telemetry.httpServerMetrics(quickstartHttpOptions), servedBy);
  await listen(server, port);
  return {
    server,
    url: `http://${HOST}:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
