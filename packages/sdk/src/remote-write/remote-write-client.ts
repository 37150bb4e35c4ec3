/**
 * One HTTP(S) connection pool to a remote-write receiver: at most `maxConnections` sockets, a timeout per
 * request, and a result instead of an exception. Credentials go into headers only, never into a message.
 */
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { RemoteWriteEndpointConfig } from './remote-write-schema.ts';

/** How a request ended. */
export type SendResult =
  | { readonly ok: true; readonly status: number }
  | {
      readonly ok: false;
      /** 5xx, 429, a timeout or a network error: worth retrying. Other 4xx are not. */
      readonly retryable: boolean;
      readonly status: number | undefined;
      /** The server's `Retry-After`, in ms, when it sent one. */
      readonly retryAfterMs: number | undefined;
      /** Why, for the log: status and the first bytes of the body, or the network error's message. */
      readonly reason: string;
    };

/** Error bodies kept for the log; the rest is read and discarded. */
const MAX_ERROR_BODY = 512;

/** Sends remote-write bodies to one endpoint. */
export class RemoteWriteClient {
  readonly #url: URL;
  readonly #agent: HttpAgent;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;

  /** @throws when a TLS file cannot be read (reported at startup). */
  constructor(endpoint: RemoteWriteEndpointConfig) {
    this.#url = new URL(endpoint.url);
    this.#timeoutMs = endpoint.timeoutMs;
    const maxSockets = endpoint.queue.maxConnections;
    const tls = endpoint.tls;
    this.#agent =
      this.#url.protocol === 'https:'
        ? new HttpsAgent({
            keepAlive: true,
            maxSockets,
            ca: tls?.caFile === undefined ? undefined : readFileSync(tls.caFile),
            cert: tls?.certFile === undefined ? undefined : readFileSync(tls.certFile),
            key: tls?.keyFile === undefined ? undefined : readFileSync(tls.keyFile),
            rejectUnauthorized: !(tls?.insecureSkipVerify ?? false),
          })
        : new HttpAgent({ keepAlive: true, maxSockets });
    const headers: Record<string, string> = {
      ...endpoint.headers,
      'Content-Encoding': 'snappy',
      'Content-Type': 'application/x-protobuf',
      'User-Agent': 'yardstick-remote-write',
      'X-Prometheus-Remote-Write-Version': '0.1.0',
    };
    if (endpoint.basicAuth !== undefined) {
      const { username, password } = endpoint.basicAuth;
      headers.Authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    } else if (endpoint.bearerToken !== undefined) {
      headers.Authorization = `Bearer ${endpoint.bearerToken}`;
    }
    // Credentials in the URL itself become basic auth and leave the URL, so no message can carry them.
    if (this.#url.username !== '' && headers.Authorization === undefined) {
      const user = decodeURIComponent(this.#url.username);
      const password = decodeURIComponent(this.#url.password);
      headers.Authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    }
    this.#url.username = '';
    this.#url.password = '';
    this.#headers = headers;
  }

  /** POSTs `body`; resolves when the response is read, the request timed out or failed. Never rejects. */
  send(body: Uint8Array): Promise<SendResult> {
    const send = this.#url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: SendResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const request = send(this.#url, {
        method: 'POST',
        agent: this.#agent,
        headers: { ...this.#headers, 'Content-Length': String(body.byteLength) },
      });
      // One deadline for connect, upload and response: a receiver that accepts and never answers must not
      // hold a connection (and the queue behind it) longer than timeoutMs.
      const timer = setTimeout(() => {
        request.destroy(new Error(`no response within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      request.on('error', (error) =>
        finish({
          ok: false,
          retryable: true,
          status: undefined,
          retryAfterMs: undefined,
          reason: error.message,
        }),
      );
      request.on('response', (response) => this.#read(response, finish));
      request.end(body);
    });
  }

  #read(response: IncomingMessage, finish: (result: SendResult) => void): void {
    const status = response.statusCode ?? 0;
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      if (text.length < MAX_ERROR_BODY) text += chunk.slice(0, MAX_ERROR_BODY - text.length);
    });
    response.on('error', (error) =>
      finish({ ok: false, retryable: true, status, retryAfterMs: undefined, reason: error.message }),
    );
    response.on('end', () => {
      if (status >= 200 && status < 300) return finish({ ok: true, status });
      finish({
        ok: false,
        retryable: status >= 500 || status === 429,
        status,
        retryAfterMs: retryAfterMs(response.headers['retry-after']),
        reason: `HTTP ${status}: ${text.trim()}`,
      });
    });
  }

  /** Closes the idle connections. */
  close(): void {
    this.#agent.destroy();
  }
}

/** `Retry-After` as seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
