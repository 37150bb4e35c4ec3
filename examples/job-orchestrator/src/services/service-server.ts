/**
 * The HTTP server of a service (the orchestrator's API, a worker's health endpoints): listens, reports a
 * taken port as one line naming the variable that changes it, and closes without waiting on keep-alive
 * connections.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OrchestratorError } from '../errors.ts';

/** A listening service server. */
export interface ServiceServer {
  /** `http://host:port`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting requests; in-flight ones get 500 ms. Idempotent. */
  close(): Promise<void>;
}

/**
 * Listens on `host:port` (0 for any free port).
 *
 * @param setting - the variable or option that sets the port, named when it cannot be used
 * @throws OrchestratorError `SERVER_START` when the address is taken or not this machine's
 */
export async function startServiceServer(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  host: string,
  port: number,
  setting: string,
): Promise<ServiceServer> {
  const server = createServer(listener);
  // Scrapers keep connections alive; a short timeout lets close() finish quickly.
  server.keepAliveTimeout = 5_000;
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? 'the address is already in use' : error.message;
      reject(
        new OrchestratorError('SERVER_START', `cannot listen on ${host}:${port}: ${reason}; set ${setting}`, {
          cause: error,
        }),
      );
    });
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    port: bound,
    close() {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), 500);
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
