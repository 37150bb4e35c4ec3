/**
 * Self-metrics of remote write, named like the alert evaluator's (`yardstick_` prefix, OTel instrument names
 * that the exposition turns into `_total` and `_seconds`), one series per endpoint `remote_name` (never the
 * URL: it can hold credentials or an address).
 */
import type { Meter } from '@opentelemetry/api';

/** The counters a sender updates; gauges are observed from the senders themselves. */
export interface RemoteWriteMetrics {
  sent(endpoint: string, samples: number): void;
  failed(endpoint: string, samples: number): void;
  dropped(endpoint: string, samples: number): void;
}

/** What the gauges read from one sender. */
export interface RemoteWriteGaugeSource {
  readonly name: string;
  pendingSamples(): number;
  /** Newest timestamp delivered, in ms; 0 before the first delivery. */
  highestSentTimestampMs(): number;
}

/**
 * Creates the instruments: `yardstick_remote_write_samples_sent_total`, `_samples_failed_total` (samples of
 * requests that failed and are retried), `_samples_dropped_total` (refused with a non-retryable status, or
 * pushed out of a full memory queue), `yardstick_remote_write_pending` (samples not yet delivered) and
 * `yardstick_remote_write_highest_sent_timestamp_seconds`.
 */
export function createRemoteWriteMetrics(
  meter: Meter,
  senders: () => readonly RemoteWriteGaugeSource[],
): RemoteWriteMetrics {
  const sent = meter.createCounter('yardstick_remote_write_samples_sent', {
    description: 'Samples delivered to the remote-write endpoint (2xx).',
  });
  const failed = meter.createCounter('yardstick_remote_write_samples_failed', {
    description:
      'Samples in requests that failed with a retryable error (5xx, 429, timeout, network) and are retried.',
  });
  const dropped = meter.createCounter('yardstick_remote_write_samples_dropped', {
    description: 'Samples given up: refused with a non-retryable 4xx, or pushed out of a full memory queue.',
  });
  const pending = meter.createObservableGauge('yardstick_remote_write_pending', {
    description: 'Samples recorded but not yet delivered to the endpoint.',
  });
  const highest = meter.createObservableGauge('yardstick_remote_write_highest_sent_timestamp', {
    description: 'Timestamp of the newest sample delivered to the endpoint.',
    unit: 's',
  });
  pending.addCallback((result) => {
    for (const sender of senders()) result.observe(sender.pendingSamples(), { remote_name: sender.name });
  });
  highest.addCallback((result) => {
    for (const sender of senders())
      result.observe(sender.highestSentTimestampMs() / 1000, { remote_name: sender.name });
  });
  return {
    sent: (endpoint, samples) => sent.add(samples, { remote_name: endpoint }),
    failed: (endpoint, samples) => failed.add(samples, { remote_name: endpoint }),
    dropped: (endpoint, samples) => dropped.add(samples, { remote_name: endpoint }),
  };
}
