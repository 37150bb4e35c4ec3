/**
 * Health probes for a proxy, each honouring an `AbortSignal` (the health kit aborts it at the timeout):
 * a TCP connect (is anything listening?) or an HTTP CONNECT (does it accept our credentials and open a
 * tunnel?).
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { type ProxyEndpoint, proxyAuthorization } from './proxy-endpoint.ts';

/** Which probe a pool runs. */
export type ProbeKind = 'tcp' | 'connect';

/** Resolves when a TCP connection to the proxy opens; rejects on error or abort. */
export function probeTcp(proxy: ProxyEndpoint, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: proxy.host, port: proxy.port, signal });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

/**
 * Sends `CONNECT target` to the proxy; resolves on a 2xx answer, rejects otherwise. The tunnel is closed
 * at once: the probe checks the proxy, not the target.
 */
export function probeConnect(proxy: ProxyEndpoint, target: string, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const authorization = proxyAuthorization(proxy);
    const req = request({
      host: proxy.host,
      port: proxy.port,
      method: 'CONNECT',
      path: target,
      signal,
      agent: false,
      headers: authorization === undefined ? {} : { 'proxy-authorization': authorization },
    });
    req.once('connect', (res, socket) => {
      socket.destroy();
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) resolve();
      else reject(new Error(`CONNECT answered ${status}`));
    });
    req.once('response', (res) => {
      res.resume();
      reject(new Error(`CONNECT answered ${res.statusCode ?? 0} without a tunnel`));
    });
    req.once('error', reject);
    req.end();
  });
}

/** The probe function for `kind`. */
export function healthProbe(
  kind: ProbeKind,
  target: string,
): (proxy: ProxyEndpoint, signal: AbortSignal) => Promise<void> {
  return kind === 'tcp' ? probeTcp : (proxy, signal) => probeConnect(proxy, target, signal);
}
