/**
 * The fallback loop: a chat request goes to the model's backends in order, each attempt bounded by its
 * own timeout, until one answers. A 5xx, a 429, a timeout, a connection error or an unreadable answer
 * moves on to the next backend; any other 4xx is the client's problem and goes back to it unchanged.
 * With a fleet, backends known to be unhealthy are skipped and attempts are counted as in flight.
 * Backends are called with node:http(s) over keep-alive connections: `fetch` cost the gateway about a
 * third of its CPU per chat (web streams, its own parser), see bench/chat-throughput.ts.
 */
import { Agent as HttpAgent, request as httpRequest, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { urlToHttpOptions } from 'node:url';
import type { BackendRegistry } from './backend-registry.ts';
import type { Backend } from './gateway-config.ts';
import type { GatewayMetrics, TokenUsage } from './gateway-metrics.ts';

/** Options of {@link forwardChat}. */
export interface ForwardChatOptions {
  /** The model named in the request; it is in the routing table. */
  readonly model: string;
  /** Backends to try, in order. */
  readonly route: readonly Backend[];
  /** The request body to send, as JSON text. */
  readonly body: string;
  /** Time one attempt may take, body included, unless the backend has its own `attemptTimeoutMs`. */
  readonly attemptTimeoutMs: number;
  readonly metrics: GatewayMetrics;
  /** Aborted when the client went away: no further attempts are made for it. */
  readonly signal: AbortSignal;
  /** The fleet: unhealthy backends are skipped, attempts in flight counted. Without it every backend is tried. */
  readonly fleet?: BackendRegistry;
}

/** One backend that failed, and how. */
export interface AttemptFailure {
  readonly backend: string;
  readonly errorType: string;
}

/** How a forwarded request ended. */
export type ForwardOutcome =
  | {
      /** A backend answered: a 2xx, or a 4xx that is passed on (then `errorType` is its status). */
      readonly kind: 'answered';
      readonly backend: Backend;
      readonly status: number;
      readonly body: unknown;
      /** The backend's own text of a 2xx `body` (a JSON object), to pass on without serialising it again. */
      readonly text?: string;
      readonly errorType: string | undefined;
      /** Token counts of a 2xx answer. */
      readonly usage: TokenUsage | undefined;
    }
  | {
      readonly kind: 'failed';
      readonly failures: readonly AttemptFailure[];
      /** Backends not tried because they were known to be unhealthy. */
      readonly skipped: number;
    }
  | { readonly kind: 'cancelled' };

type AttemptResult =
  | {
      readonly kind: 'answer';
      readonly status: number;
      readonly body: unknown;
      readonly text: string;
      readonly usage: TokenUsage;
    }
  | { readonly kind: 'client-error'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'retry'; readonly errorType: string }
  | { readonly kind: 'cancelled' };

/** Node error codes (ECONNREFUSED, ECONNRESET) are a fixed set of constants: fine as label values. */
const ERROR_CODE = /^[A-Z][A-Z0-9_]{1,39}$/;

function networkErrorType(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && ERROR_CODE.test(code) ? code : '_OTHER';
}

function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** The OpenAI `usage` block; counts that are missing or not whole numbers are not recorded. */
function readUsage(body: Record<string, unknown>): TokenUsage {
  const usage = body.usage;
  if (typeof usage !== 'object' || usage === null) return { input: undefined, output: undefined };
  const { prompt_tokens, completion_tokens } = usage as Record<string, unknown>;
  return { input: tokenCount(prompt_tokens), output: tokenCount(completion_tokens) };
}

/** Connections to the backends, kept open between chats (idle ones do not keep the process alive). */
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/** Where a backend's chat requests go, worked out once per backend URL instead of once per attempt. */
interface ChatTarget {
  readonly send: typeof httpRequest;
  readonly options: RequestOptions;
}
const targets = new Map<string, ChatTarget>();

function chatTarget(backendUrl: string): ChatTarget {
  let target = targets.get(backendUrl);
  if (target === undefined) {
    const url = new URL(`${backendUrl}/chat/completions`);
    const https = url.protocol === 'https:';
    target = {
      send: https ? httpsRequest : httpRequest,
      // The options node:http derives from a URL itself (host without brackets, path with query, auth).
      options: { ...urlToHttpOptions(url), method: 'POST', agent: https ? agents.https : agents.http },
    };
    targets.set(backendUrl, target);
  }
  return target;
}

/** Why an attempt was cut short: its own timeout, or the client went away. */
const TIMED_OUT = Object.assign(new Error('the backend attempt timed out'), { code: 'TIMEOUT' });
const CANCELLED = Object.assign(new Error('the client went away'), { code: 'CANCELLED' });

/**
 * POSTs `body` to `target`; resolves with the whole answer, rejects on a connection error, after
 * `timeoutMs` (the whole exchange, body included) or when `clientGone` aborts. One timer and one listener
 * per attempt: `AbortSignal.timeout` + `AbortSignal.any` passed as the request's `signal` cost about 6% of
 * the gateway's CPU per chat in a `--cpu-prof` of bench/chat-throughput.ts.
 */
function post(
  target: ChatTarget,
  headers: Record<string, string | number>,
  body: string,
  timeoutMs: number,
  clientGone: AbortSignal,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    if (clientGone.aborted) return reject(CANCELLED);
    const req = target.send({ ...target.options, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('end', () => {
        finish();
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
      });
      // A connection cut mid-answer (or the request destroyed) ends the response without 'end'.
      res.once('close', () => {
        if (!res.complete)
          fail(Object.assign(new Error('the backend cut its answer'), { code: 'ECONNRESET' }));
      });
    });
    const fail = (error: Error) => {
      finish();
      req.destroy(error);
      reject(error);
    };
    const onClientGone = () => fail(CANCELLED);
    const timer = setTimeout(fail, timeoutMs, TIMED_OUT);
    clientGone.addEventListener('abort', onClientGone, { once: true });
    const finish = () => {
      clearTimeout(timer);
      clientGone.removeEventListener('abort', onClientGone);
    };
    req.once('error', fail);
    req.end(body);
  });
}

async function attempt(
  backend: Backend,
  body: string,
  timeoutMs: number,
  clientGone: AbortSignal,
): Promise<AttemptResult> {
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    accept: 'application/json',
  };
  if (backend.apiKey !== undefined) headers.authorization = `Bearer ${backend.apiKey}`;
  try {
    // The timeout covers the whole attempt: a backend that sends headers and then stalls is cut off too.
    const response = await post(chatTarget(backend.url), headers, body, timeoutMs, clientGone);
    const ok = response.status >= 200 && response.status < 300;
    // Redirects are not followed (an API key must not go elsewhere): the backend is misconfigured.
    if (
      response.status === 429 ||
      response.status >= 500 ||
      (response.status >= 300 && response.status < 400)
    )
      return { kind: 'retry', errorType: String(response.status) };
    let json: unknown;
    try {
      json = JSON.parse(response.text);
    } catch {
      if (ok) return { kind: 'retry', errorType: 'invalid_response' };
      json = { error: { message: response.text.slice(0, 500), type: 'backend_error' } };
    }
    if (!ok) return { kind: 'client-error', status: response.status, body: json };
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      return { kind: 'retry', errorType: 'invalid_response' };
    }
    return {
      kind: 'answer',
      status: response.status,
      body: json,
      text: response.text,
      usage: readUsage(json as Record<string, unknown>),
    };
  } catch (error) {
    if (error === CANCELLED || clientGone.aborted) return { kind: 'cancelled' };
    if (error === TIMED_OUT) return { kind: 'retry', errorType: 'timeout' };
    return { kind: 'retry', errorType: networkErrorType(error) };
  }
}

/**
 * Sends a chat request along `route` until a backend answers, recording every attempt and fallback.
 * Never throws: every failure is an outcome.
 */
export async function forwardChat(options: ForwardChatOptions): Promise<ForwardOutcome> {
  const { model, body, attemptTimeoutMs, metrics, signal, fleet } = options;
  const route = fleet === undefined ? options.route : options.route.filter((b) => fleet.isRoutable(b.name));
  const failures: AttemptFailure[] = [];
  for (let i = 0; i < route.length; i++) {
    const backend = route[i]!;
    const started = performance.now();
    const done = fleet?.beginAttempt(backend.name);
    const result = await attempt(backend, body, backend.attemptTimeoutMs ?? attemptTimeoutMs, signal);
    done?.();
    const seconds = (performance.now() - started) / 1000;
    switch (result.kind) {
      case 'answer':
        metrics.attempt(model, backend, seconds, { usage: result.usage });
        return {
          kind: 'answered',
          backend,
          status: result.status,
          body: result.body,
          text: result.text,
          errorType: undefined,
          usage: result.usage,
        };
      case 'client-error': {
        const errorType = String(result.status);
        metrics.attempt(model, backend, seconds, { errorType });
        return {
          kind: 'answered',
          backend,
          status: result.status,
          body: result.body,
          errorType,
          usage: undefined,
        };
      }
      case 'cancelled':
        metrics.attempt(model, backend, seconds, { errorType: 'cancelled' });
        return { kind: 'cancelled' };
      case 'retry': {
        metrics.attempt(model, backend, seconds, { errorType: result.errorType });
        failures.push({ backend: backend.name, errorType: result.errorType });
        const next = route[i + 1];
        if (next !== undefined) metrics.fallback(model, backend, next, result.errorType);
      }
    }
  }
  return { kind: 'failed', failures, skipped: options.route.length - route.length };
}
