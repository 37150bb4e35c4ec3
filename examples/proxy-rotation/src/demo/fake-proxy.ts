/**
 * A stand-in for an outbound proxy, for the demo and the end-to-end test: a node:http server on 127.0.0.1
 * that answers a forward-proxy GET (`GET http://target/path`) itself and accepts CONNECT with a 200 (the
 * tunnel is closed at once; nothing is relayed). It can demand Basic credentials, be stopped (a dead
 * proxy: connections refused) and started again on the same port.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Options of {@link startFakeProxy}. */
export interface FakeProxyOptions {
  /** Name the proxy answers with (`{ "proxy": name }`), so a client can tell who served it. */
  readonly name: string;
  /** `user:pass` the proxy demands in `Proxy-Authorization`; none when absent. */
  readonly credentials?: string;
  /** Delay before answering a GET, in ms; default 0. */
  readonly delayMs?: number;
  /** Port to listen on; default 0 (a free one). */
  readonly port?: number;
}

/** A running (or stopped) fake proxy. */
export interface FakeProxy {
  readonly name: string;
  /** The port; stays the same across stop/start. */
  readonly port: number;
  /** GET requests it answered with 200. */
  readonly served: () => number;
  /** Closes the listener and every open connection: the proxy is down. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

/** Starts a fake proxy on 127.0.0.1. */
export async function startFakeProxy(options: FakeProxyOptions): Promise<FakeProxy> {
  const expected =
    options.credentials === undefined
      ? undefined
      : `Basic ${Buffer.from(options.credentials).toString('base64')}`;
  let served = 0;
  const sockets = new Set<Socket>();
  const authorized = (header: string | undefined): boolean => expected === undefined || header === expected;

  const server: Server = createServer((req, res) => {
    if (!authorized(req.headers['proxy-authorization'])) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="proxy"' }).end();
      return;
    }
    setTimeout(() => {
      served++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ proxy: options.name }));
    }, options.delayMs ?? 0);
  });
  server.on('connect', (req, socket: Socket) => {
    const status = authorized(req.headers['proxy-authorization'])
      ? '200 Connection Established'
      : '407 Proxy Authentication Required';
    socket.end(`HTTP/1.1 ${status}\r\n\r\n`);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const port = await listen(options.port ?? 0);

  return {
    name: options.name,
    port,
    served: () => served,
    async stop() {
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    async start() {
      if (!server.listening) await listen(port);
    },
  };
}
