/**
 * Measures one request from the moment a kit entry point sees it to the response's `close` event, which
 * Node emits both after a complete response and when the connection goes away early, so every request is
 * recorded exactly once: complete, or with `error.type` `aborted`. Requests without Node's objects (hono on
 * the fetch API) are measured from the middleware to the response it returns.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Attributes, Histogram, Meter, ObservableResult } from '@opentelemetry/api';
import { diag } from '@opentelemetry/api';
import { ValueBudget } from '@yardstick/views';
import { createReportOnce } from '../kit-logger.ts';
import { expressRoute, trackExpressRoutes } from './express-route.ts';
import {
  errorType,
  normalizeMethod,
  OTHER_ERROR_TYPE,
  protocolVersion,
  requestScheme,
} from './request-attributes.ts';
import { templatedRequestPath, templatedTarget } from './route-template.ts';

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
  /**
   * When set, a request without a route template (and not a 404) gets its templated path as `http.route`,
   * for at most `maxValues` distinct paths; when unset, such a request gets no `http.route`.
   */
  readonly templatePaths?: { readonly maxValues: number } | undefined;
}

/**
 * The route a framework knows: a template, or a function asked for it when the request is recorded (hono
 * knows the route only once its handler ran, which may be after the client went away).
 */
export type FrameworkRoute = string | (() => string | undefined);

/** The requests in flight with one set of `http.server.active_requests` attributes. */
interface ActiveCount {
  readonly attributes: Attributes;
  value: number;
  /**
   * Pre-bound duration attributes of complete HTTP/1.1 responses without an error, by status code and
   * route: the common request reuses one frozen object instead of building five keys (see #finish).
   */
  readonly completed: Map<number, Map<string | undefined, Attributes>>;
}

/** Routes remembered per status code and method; past this, attribute sets are built per request. */
const MAX_BOUND_ROUTES = 1_024;

/** One request in flight. */
interface Measurement {
  readonly recorder: RequestRecorder;
  readonly startedAt: number;
  /** The in-flight count this request belongs to (by method and scheme). */
  readonly active: ActiveCount;
  /** The route a framework hook knows (fastify, hono); read before express's and the fallback. */
  frameworkRoute: FrameworkRoute | undefined;
}

/** One request in flight on the fetch API (no `IncomingMessage`), from {@link RequestRecorder.startFetch}. */
export interface FetchMeasurement {
  readonly startedAt: number;
  readonly active: ActiveCount;
}

/** How a fetch-API request ended, for {@link RequestRecorder.finishFetch}. */
export interface FetchOutcome {
  /** The status of the response; `undefined` when the handler threw instead of answering. */
  readonly statusCode: number | undefined;
  /** The route template the framework matched. */
  readonly route: string | undefined;
  /** The request path, templated only when the kit opted into `templatePaths`. */
  readonly path: string;
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
  /** The distinct templated paths recorded so far, when the kit opted into `templatePaths`. */
  readonly #pathBudget: ValueBudget | undefined;
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
    this.#pathBudget =
      options.templatePaths === undefined
        ? undefined
        : new ValueBudget({ key: 'http.route', maxValues: validBudget(options.templatePaths.maxValues) });
    this.#report = createReportOnce(
      options.onError ??
        ((error) => diag.warn('yardstick http-server kit: a request could not be measured', error)),
    );
  }

  /**
   * Starts measuring `req` unless an entry point already did (then only `frameworkRoute` is added) or
   * `ignore()` says so. Never throws.
   */
  start(req: IncomingMessage, res: ServerResponse, frameworkRoute?: FrameworkRoute): void {
    try {
      this.#start(req, res, frameworkRoute);
    } catch (error) {
      this.#report(error);
    }
  }

  #start(req: IncomingMessage, res: ServerResponse, frameworkRoute: FrameworkRoute | undefined): void {
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
    const active = this.#activeCount(normalizeMethod(req.method, this.#known), requestScheme(req));
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
    // First, so that nothing below can leave the request counted as active forever.
    measurement.active.value--;
    // A status code is an attribute "if and only if one was sent": an early close may come before the head.
    const statusCode = res.headersSent ? res.statusCode : undefined;
    const route = this.#routeOf(req, measurement, statusCode);
    const error = errorType(res.writableFinished, statusCode);
    // Shaped for speed: most requests are complete HTTP/1.1 responses without an error, and their attribute
    // set repeats per status code and route, so it is built once and reused (the core's trie then walks the
    // same frozen object). Measured with bench/http-kit.ts: see the figure on HTTP kit cost in the README.
    if (statusCode !== undefined && error === undefined && req.httpVersion === '1.1') {
      const bound = this.#bound(measurement.active, statusCode, route);
      if (bound !== undefined) {
        this.#duration.record(seconds, bound);
        return;
      }
    }
    const attributes = this.#attributes(measurement.active, statusCode);
    attributes['network.protocol.version'] = protocolVersion(req.httpVersion);
    if (route !== undefined) attributes['http.route'] = route;
    if (error !== undefined) attributes['error.type'] = error;
    this.#duration.record(seconds, attributes);
  }

  /**
   * Starts measuring a request that has no Node objects (hono on the fetch API); `undefined` when that
   * failed. `ignore()` and `route()` take an `IncomingMessage`, so they are not asked. Never throws.
   */
  startFetch(method: string, url: string): FetchMeasurement | undefined {
    try {
      const scheme = url.startsWith('https:') ? 'https' : 'http';
      const active = this.#activeCount(normalizeMethod(method, this.#known), scheme);
      active.value++;
      return { startedAt: performance.now(), active };
    } catch (error) {
      this.#report(error);
      return undefined;
    }
  }

  /**
   * Records a fetch-API request when its handler returned (or threw: `error.type` `_OTHER`, no status
   * code), with the outcome `read` gives, asked inside this method's guard. The protocol version is not
   * known there, so `network.protocol.version` is left out. Never throws.
   */
  finishFetch(measurement: FetchMeasurement, read: () => FetchOutcome): void {
    const seconds = (performance.now() - measurement.startedAt) / 1000;
    measurement.active.value--;
    try {
      const outcome = read();
      const { statusCode } = outcome;
      const attributes = this.#attributes(measurement.active, statusCode);
      const route = outcome.route ?? this.#templatedPath(statusCode, () => templatedTarget(outcome.path));
      if (route !== undefined) attributes['http.route'] = route;
      const error = statusCode === undefined ? OTHER_ERROR_TYPE : errorType(true, statusCode);
      if (error !== undefined) attributes['error.type'] = error;
      this.#duration.record(seconds, attributes);
    } catch (error) {
      this.#report(error);
    }
  }

  /** The pre-bound attributes of a complete HTTP/1.1 response without an error, or undefined when full. */
  #bound(active: ActiveCount, statusCode: number, route: string | undefined): Attributes | undefined {
    let byRoute = active.completed.get(statusCode);
    if (byRoute === undefined) {
      byRoute = new Map();
      active.completed.set(statusCode, byRoute);
    }
    let attributes = byRoute.get(route);
    if (attributes === undefined) {
      if (byRoute.size >= MAX_BOUND_ROUTES) return undefined;
      const built = this.#attributes(active, statusCode);
      built['network.protocol.version'] = '1.1';
      if (route !== undefined) built['http.route'] = route;
      attributes = Object.freeze(built);
      byRoute.set(route, attributes);
    }
    return attributes;
  }

  /** The attributes every duration carries: method and scheme (from the in-flight count) and the status. */
  #attributes(active: ActiveCount, statusCode: number | undefined): Attributes {
    const attributes: Attributes = {
      'http.request.method': active.attributes['http.request.method'],
      'url.scheme': active.attributes['url.scheme'],
    };
    if (statusCode !== undefined) attributes['http.response.status_code'] = statusCode;
    return attributes;
  }

  #activeCount(method: string, scheme: string): ActiveCount {
    const byMethod = scheme === 'https' ? this.#activeHttps : this.#activeHttp;
    let active = byMethod.get(method);
    if (active === undefined) {
      active = {
        attributes: Object.freeze({ 'http.request.method': method, 'url.scheme': scheme }),
        value: 0,
        completed: new Map(),
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
   * The user's `route()`, then the framework's route, then (only with `templatePaths`) the templated path.
   * Nothing else: a request path is whatever a client or a scanner typed, and each distinct one would be
   * a series of its own.
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
    const framework = measurement.frameworkRoute;
    const known = typeof framework === 'function' ? framework() : framework;
    if (known !== undefined) return known;
    // With wrap() alone the app's request prototype shows up only now; tracking it serves later requests.
    trackExpressRoutes(req);
    return expressRoute(req) ?? this.#templatedPath(statusCode, () => templatedRequestPath(req));
  }

  /**
   * The opt-in fallback: the templated path while the budget has room for it. A 404 matched no route, so it
   * never gets one.
   */
  #templatedPath(statusCode: number | undefined, template: () => string | undefined): string | undefined {
    if (this.#pathBudget === undefined || statusCode === 404) return undefined;
    const path = template();
    return path !== undefined && this.#pathBudget.admits(path) ? path : undefined;
  }
}

/** A budget of distinct values: a whole number, and none for anything that is not a positive number. */
function validBudget(maxValues: number): number {
  return Number.isFinite(maxValues) && maxValues > 0 ? Math.floor(maxValues) : 0;
}
