/**
 * One plain-HTTP request through a forward proxy (`GET http://target/path` sent to the proxy), with the
 * proxy's credentials in `Proxy-Authorization`. Enough for the demo; an HTTPS client would CONNECT first.
 */
import { request } from 'node:http';
import { type ProxyEndpoint, proxyAuthorization } from './proxy-endpoint.ts';

/** What a request through a proxy returned. */
export interface ProxiedResponse {
  readonly status: number;
  readonly body: string;
}

/**
 * Sends `GET url` through `proxy`; rejects on a network error or when `timeoutMs` passes.
 *
 * @param url - an absolute `http://` URL of the target
 */
export function fetchThroughProxy(
  proxy: ProxyEndpoint,
  url: string,
  timeoutMs: number,
): Promise<ProxiedResponse> {
  return new Promise((resolve, reject) => {
    const authorization = proxyAuthorization(proxy);
    const req = request({
      host: proxy.host,
      port: proxy.port,
      method: 'GET',
      path: url,
      agent: false,
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        host: new URL(url).host,
        ...(authorization === undefined ? {} : { 'proxy-authorization': authorization }),
      },
    });
    req.once('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end();
  });
}
