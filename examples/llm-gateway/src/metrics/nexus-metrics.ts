/**
 * The metrics Nexus's spec fixes (seed 004, F09), recorded through the OTel API so the OTel→Prometheus
 * translation gives exactly the spec's names, beside the GenAI semantic-convention metrics of
 * `gateway-metrics.ts`:
 *
 * | OTel name | instrument | Prometheus name | labels |
 * |---|---|---|---|
 * | `nexus.requests` | Counter | `nexus_requests_total` | `model`, `backend`, `status` (HTTP status code) |
 * | `nexus.request.duration` (s) | Histogram | `nexus_request_duration_seconds` | `model`, `backend` |
 * | `nexus.errors` | Counter | `nexus_errors_total` | `error_type`, `model` |
 * | `nexus.backend.latency` (s) | Histogram | `nexus_backend_latency_seconds` | `backend` (health checks) |
 * | `nexus.fallbacks` | Counter | `nexus_fallbacks_total` | `from_model`, `to_model` |
 * | `nexus.tokens.total` | Histogram | `nexus_tokens_total` | `model`, `backend`, `type` (`prompt`, `completion`) |
 * | `nexus.pending_requests` | ObservableGauge | `nexus_pending_requests` | `backend` (attempts in flight) |
 * | `nexus.backends.total` | ObservableGauge | `nexus_backends_total` | none |
 * | `nexus.backends.healthy` | ObservableGauge | `nexus_backends_healthy` | none |
 * | `nexus.models.available` | ObservableGauge | `nexus_models_available` | none |
 *
 * Model and backend label values come from the routing table only and pass through the spec's
 * {@link sanitizeLabel}; the fleet gauges are computed from the registry when a reader collects. The same
 * requests are tallied in memory for `/v1/stats` (what the spec reads from its Prometheus handle).
 */
import type { Attributes, Counter, Histogram, Meter } from '@opentelemetry/api';
import type { BackendRegistry } from '../gateway/backend-registry.ts';
import type { NexusErrorType } from './nexus-error-type.ts';
import { LabelCache } from './sanitize-label.ts';

/** The spec's buckets for `nexus_request_duration_seconds` and `nexus_backend_latency_seconds` (seconds). */
export const NEXUS_DURATION_BUCKETS: readonly number[] = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * Buckets of `nexus_tokens_total`: the spec names no buckets for it, so these are the ones the GenAI
 * semantic conventions advise for token counts.
 */
export const NEXUS_TOKEN_BUCKETS: readonly number[] = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];

/** Requests of one (model, backend) pair, for `/v1/stats`. */
export interface RequestTally {
  readonly model: string;
  readonly backend: string;
  requests: number;
  /** Answered with a 2xx. */
  success: number;
  durationSeconds: number;
}

/** The spec's instruments and the in-memory tally behind `/v1/stats`; recording never throws. */
export class NexusMetrics {
  readonly #requests: Counter;
  readonly #duration: Histogram;
  readonly #errors: Counter;
  readonly #backendLatency: Histogram;
  readonly #fallbacks: Counter;
  readonly #tokens: Histogram;
  readonly #labels = new LabelCache();
  readonly #registry: BackendRegistry;
  // Attribute objects built once per (model, backend, status), keyed by the raw names: a request then
  // allocates no attribute object and sanitizes nothing (the spec's 0.1 ms recording budget).
  readonly #attributes = new Map<string, Attributes>();
  readonly #tally = new Map<string, RequestTally>();

  constructor(meter: Meter, registry: BackendRegistry) {
    this.#registry = registry;
    this.#requests = meter.createCounter('nexus.requests', {
      description: 'Chat requests the gateway answered, by model, backend that answered and HTTP status.',
    });
    this.#duration = meter.createHistogram('nexus.request.duration', {
      description: 'Time from receiving a chat request to answering it, fallbacks included.',
      unit: 's',
      advice: { explicitBucketBoundaries: [...NEXUS_DURATION_BUCKETS] },
    });
    this.#errors = meter.createCounter('nexus.errors', {
      description: 'Chat requests that failed, by error type.',
    });
    this.#backendLatency = meter.createHistogram('nexus.backend.latency', {
      description: 'Round-trip time of successful backend health checks.',
      unit: 's',
      advice: { explicitBucketBoundaries: [...NEXUS_DURATION_BUCKETS] },
    });
    this.#fallbacks = meter.createCounter('nexus.fallbacks', {
      description: 'Times a request moved on to a fallback model because its own model could not serve it.',
    });
    this.#tokens = meter.createHistogram('nexus.tokens.total', {
      description: 'Prompt and completion tokens a backend reported for one answered request.',
      unit: '{token}',
      advice: { explicitBucketBoundaries: [...NEXUS_TOKEN_BUCKETS] },
    });
    meter
      .createObservableGauge('nexus.pending_requests', {
        description: 'Attempts in flight on a backend right now.',
        unit: '{request}',
      })
      .addCallback((result) => {
        for (const backend of registry.backends) {
          result.observe(registry.inFlight(backend.name), { backend: this.#labels.get(backend.name) });
        }
      });
    meter
      .createObservableGauge('nexus.backends.total', { description: 'Registered backends.' })
      .addCallback((result) => result.observe(registry.backends.length));
    meter
      .createObservableGauge('nexus.backends.healthy', {
        description: 'Backends whose last health check succeeded.',
      })
      .addCallback((result) => result.observe(registry.healthyCount()));
    meter
      .createObservableGauge('nexus.models.available', {
        description: 'Distinct models served by at least one healthy backend.',
      })
      .addCallback((result) => result.observe(registry.modelsAvailable()));
  }

  /** One answered chat request: `model` as requested, `backend` the one that answered (or `none`). */
  request(model: string, backend: string, status: number, seconds: number): void {
    const key = `${model}\u0000${backend}`;
    let tally = this.#tally.get(key);
    if (tally === undefined) {
      tally = { model, backend, requests: 0, success: 0, durationSeconds: 0 };
      this.#tally.set(key, tally);
    }
    tally.requests++;
    if (status >= 200 && status < 300) tally.success++;
    tally.durationSeconds += seconds;

    const statusKey = `${key}\u0000${status}`;
    let counted = this.#attributes.get(statusKey);
    if (counted === undefined) {
      counted = {
        model: this.#labels.get(model),
        backend: this.#labels.get(backend),
        status: String(status),
      };
      this.#attributes.set(statusKey, counted);
    }
    let timed = this.#attributes.get(key);
    if (timed === undefined) {
      timed = { model: this.#labels.get(model), backend: this.#labels.get(backend) };
      this.#attributes.set(key, timed);
    }
    this.#requests.add(1, counted);
    this.#duration.record(seconds, timed);
  }

  /** A failed chat request of `model` (a routed model, or `_unknown` for one the table does not have). */
  error(errorType: NexusErrorType, model: string): void {
    this.#errors.add(1, { error_type: errorType, model: this.#labels.get(model) });
  }

  /** The request for `from` moved on to the fallback model `to`. */
  fallback(from: string, to: string): void {
    this.#fallbacks.add(1, { from_model: this.#labels.get(from), to_model: this.#labels.get(to) });
  }

  /** Token counts a backend reported for an answer of `model`; missing counts are not recorded. */
  tokens(model: string, backend: string, prompt: number | undefined, completion: number | undefined): void {
    const labels = { model: this.#labels.get(model), backend: this.#labels.get(backend) };
    if (prompt !== undefined) this.#tokens.record(prompt, { ...labels, type: 'prompt' });
    if (completion !== undefined) this.#tokens.record(completion, { ...labels, type: 'completion' });
  }

  /** A successful health check of `backend` that took `seconds`. */
  backendLatency(backend: string, seconds: number): void {
    this.#backendLatency.record(seconds, { backend: this.#labels.get(backend) });
  }

  /** The requests counted so far, per (model, backend); read by `/v1/stats`. */
  tallies(): IterableIterator<RequestTally> {
    return this.#tally.values();
  }

  /** The fleet these metrics describe. */
  get registry(): BackendRegistry {
    return this.#registry;
  }
}
