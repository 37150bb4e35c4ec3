/**
 * Measures one request from the moment a kit entry point sees it to the response's `close` event, which
 * Node emits both after a complete response and when the connection goes away early, so every request is
 * recorded exactly once: complete, or with `error.type` `aborted`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Attributes, Histogram, Meter, ObservableResult } from '@opentelemetry/api';
import { diag } from '@opentelemetry/api';
import { createReportOnce } from '../kit-logger.ts';
import { expressRoute } from './express-route.ts';
import { errorType, normalizeMethod, protocolVersion, requestScheme } from './request-attributes.ts';
import { templatedRequestPath } from './route-template.ts';

/** Bucket boundaries the conventions advise for `http.server.request.duration`, in seconds. */
export const HTTP_SERVER_DURATION_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/** What a recorder is built from. */
export interface RequestRecorderOptions {
  /** Requests for which this returns `true` are not measured (a throwing callback measures the request). */
  readonly ignore?: ((req: IncomingMessage) => boolean) | undefined;
  /** The route template of a request, asked after the response; `undefined` falls back (see the kit). */
  readonly route?: ((req: IncomingMessage) => string | undefined) | undefined;
  /** Methods recorded as they are; all others become `_OTHER`. */
  readonly knownMethods: readonly string[];
  /** Told about the first failure (a throwing `ignore()` or `route()`); default a `diag` warning. */
  readonly onError?: ((error: unknown) => void) | undefined;
}

/** The requests in flight with one set of `http.server.active_requests` attributes. */
interface ActiveCount {
  readonly attributes: Attributes;
  value: number;
}

/** One request in flight. */
interface Measurement {
  readonly recorder: RequestRecorder;
  readonly startedAt: number;
  /** The in-flight count this request belongs to (by method and scheme). */
  readonly active: ActiveCount;
  /** The route a framework hook knew at the start (fastify); read before express's and the fallback. */
  frameworkRoute: string | undefined;
}

// A module-private symbol: only this module reads or writes the field, so it never clashes with the app's.
const MEASUREMENT = Symbol('yardstick.http-server.measurement');

/** `null` marks an ignored request, so a second entry point does not ask `ignore()` again. */
type TrackedRequest = IncomingMessage & { [MEASUREMENT]?: Measurement | null };

/**
 * The `close` listener of every measured response. Shaped for speed: one shared function instead of a
 * closure per request; it finds its measurement through `res.req`, which Node sets on every response.
 */
function onResponseClose(this: ServerResponse): void {
  const req = this.req as TrackedRequest;
  const measurement = req[MEASUREMENT];
  if (measurement) measurement.recorder.finish(req, this, measurement);
}

/** Records `http.server.request.duration` and `http.server.active_requests` for the requests it sees. */
export class RequestRecorder {
  readonly #duration: Histogram;
  readonly #known: ReadonlySet<string>;
  readonly #ignore: ((req: IncomingMessage) => boolean) | undefined;
  readonly #route: ((req: IncomingMessage) => string | undefined) | undefined;
  readonly #report: (error: unknown) => void;
  /**
   * In-flight counts by method, one map per scheme; the entries are bounded by the known methods plus
   * `_OTHER`. Shaped for speed: `http.server.active_requests` is an asynchronous up-down counter reading
   * these at collection, so a request costs two integer updates instead of two SDK `add()` calls that each
   * hash their attributes. Measured (best of 9 x 30k synthetic requests, sdk-metrics 3.1.0): the kit's cost
   * per request went from 4.0 to 2.5 µs. What an exporter sees is the same non-monotonic sum.
   */
  readonly #activeHttp = new Map<string, ActiveCount>();
  readonly #activeHttps = new Map<string, ActiveCount>();

  /**
   * @param meter - where the two instruments are created
   * @param options - ignore, route and method settings
   */
  constructor(meter: Meter, options: RequestRecorderOptions) {
    this.#duration = meter.createHistogram('http.server.request.duration', {
      description: 'Duration of HTTP server requests.',
      unit: 's',
      advice: { explicitBucketBoundaries: [...HTTP_SERVER_DURATION_BUCKETS] },
    });
    meter
      .createObservableUpDownCounter('http.server.active_requests', {
        description: 'Number of active HTTP server requests.',
        unit: '{request}',
      })
      .addCallback((result) => this.#observeActive(result));
    this.#known = new Set(options.knownMethods);
    this.#ignore = options.ignore;
    this.#route = options.route;
    this.#report = createReportOnce(
      options.onError ??
        ((error) => diag.warn('yardstick http-server kit: a request could not be measured', error)),
    );
  }

  /**
   * Starts measuring `req` unless an entry point already did (then only `frameworkRoute` is added) or
   * `ignore()` says so. Never throws.
   */
  start(req: IncomingMessage, res: ServerResponse, frameworkRoute?: string): void {
    try {
      this.#start(req, res, frameworkRoute);
    } catch (error) {
      this.#report(error);
    }
  }

  #start(req: IncomingMessage, res: ServerResponse, frameworkRoute: string | undefined): void {
    const tracked = req as TrackedRequest;
    const existing = tracked[MEASUREMENT];
    if (existing !== undefined) {
      if (existing !== null && frameworkRoute !== undefined) existing.frameworkRoute = frameworkRoute;
      return;
    }
    if (this.#ignores(req)) {
      tracked[MEASUREMENT] = null;
      return;
    }
    const active = this.#activeCountOf(req);
    tracked[MEASUREMENT] = { recorder: this, startedAt: performance.now(), active, frameworkRoute };
    active.value++;
    res.on('close', onResponseClose);
  }

  /**
   * Records a request whose response closed; called once per request by the shared `close` listener. Never
   * throws: an exception there would be an uncaught one in the app.
   */
  finish(req: IncomingMessage, res: ServerResponse, measurement: Measurement): void {
    try {
      this.#finish(req, res, measurement);
    } catch (error) {
      this.#report(error);
    }
  }

  #finish(req: IncomingMessage, res: ServerResponse, measurement: Measurement): void {
    const seconds = (performance.now() - measurement.startedAt) / 1000;
    const active = measurement.active.attributes;
    // First, so that nothing below can leave the request counted as active forever.
    measurement.active.value--;
    // A status code is an attribute "if and only if one was sent": an early close may come before the head.
    const statusCode = res.headersSent ? res.statusCode : undefined;
    const attributes: Attributes = {
      'http.request.method': active['http.request.method'],
      'url.scheme': active['url.scheme'],
      'network.protocol.version': protocolVersion(req.httpVersion),
    };
    if (statusCode !== undefined) attributes['http.response.status_code'] = statusCode;
    const route = this.#routeOf(req, measurement, statusCode);
    if (route !== undefined) attributes['http.route'] = route;
    const error = errorType(res.writableFinished, statusCode);
    if (error !== undefined) attributes['error.type'] = error;
    this.#duration.record(seconds, attributes);
  }

  #activeCountOf(req: IncomingMessage): ActiveCount {
    const method = normalizeMethod(req.method, this.#known);
    const scheme = requestScheme(req);
    const byMethod = scheme === 'https' ? this.#activeHttps : this.#activeHttp;
    let active = byMethod.get(method);
    if (active === undefined) {
      active = {
        attributes: Object.freeze({ 'http.request.method': method, 'url.scheme': scheme }),
        value: 0,
      };
      byMethod.set(method, active);
    }
    return active;
  }

  #observeActive(result: ObservableResult): void {
    for (const active of this.#activeHttp.values()) result.observe(active.value, active.attributes);
    for (const active of this.#activeHttps.values()) result.observe(active.value, active.attributes);
  }

  #ignores(req: IncomingMessage): boolean {
    if (this.#ignore === undefined) return false;
    try {
      return this.#ignore(req) === true;
    } catch (error) {
      this.#report(error);
      return false;
    }
  }

  /**
   * The user's `route()`, then the framework's route, then the templated path — except for a 404, which
   * matched no route: its path is whatever a client (or a scanner) typed, so it gets no `http.route`.
   */
  #routeOf(
    req: IncomingMessage,
    measurement: Measurement,
    statusCode: number | undefined,
  ): string | undefined {
    if (this.#route !== undefined) {
      try {
        const route = this.#route(req);
        if (typeof route === 'string' && route !== '') return route;
      } catch (error) {
        this.#report(error);
      }
    }
    const known = measurement.frameworkRoute ?? expressRoute(req);
    if (known !== undefined || statusCode === 404) return known;
    return templatedRequestPath(req);
  }
}
