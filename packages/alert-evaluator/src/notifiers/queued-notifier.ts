/**
 * The bounded retry queue every notifier delivers through (Alertmanager, webhook, Slack), so a receiver's
 * outage or overload does not lose alerts. `notify` queues and returns at once; a background loop sends
 * the oldest entries. A failure that may pass (network error, timeout, 5xx, 429) keeps the entries queued
 * and is retried with exponential backoff; a `Retry-After` longer than the backoff is waited for, and
 * every delay is capped by `maxRetryDelayMs`. Entries the receiver refuses (any other 4xx) are dropped,
 * as sending them again cannot succeed and would hold back every later alert. A full queue drops its
 * oldest alerts. Every drop is counted in `stats().dropped` and `yardstick_notifications_dropped_total`.
 */
import type { AlertSnapshot } from '../state/alert.ts';
import { type Logger, silentLogger } from '../state/sample-sink.ts';
import type { PostOutcome } from './http-post.ts';
import type { FlushResult, Notifier, NotifierObserver, NotifyContext, NotifyResult } from './notifier.ts';

/** Queue and retry settings, the same for every notifier. */
export interface NotifierQueueOptions {
  /**
   * Alerts the queue holds before it drops the oldest (Prometheus's
   * `--alertmanager.notification-queue-capacity`). Default 10000.
   */
  readonly queueCapacity?: number;
  /** First retry delay after a failed delivery; doubles up to `maxRetryDelayMs`. Default 500 ms. */
  readonly retryDelayMs?: number;
  /** Longest wait before a retry, a receiver's `Retry-After` included. Default 30 s. */
  readonly maxRetryDelayMs?: number;
  readonly logger?: Logger;
  readonly observer?: NotifierObserver;
}

/** Counters of a queued notifier. */
export interface NotifierQueueStats {
  /** Alerts delivered. */
  readonly sent: number;
  /** Delivery attempts that failed. */
  readonly failedAttempts: number;
  /** Alerts dropped: refused by the receiver, or pushed out of a full queue. */
  readonly dropped: number;
  /** Alerts waiting for delivery. */
  readonly queueLength: number;
}

/** One queued delivery of `alerts` alerts. */
export interface QueueEntry<T> {
  /** A later entry with the same key replaces this one (a newer state of the same alert); none: never. */
  readonly key?: string;
  readonly item: T;
  readonly alerts: number;
}

/** A notifier that sends entries of type `T` (one per alert, or one per message) through the queue. */
export abstract class QueuedNotifier<T> implements Notifier {
  readonly name: string;
  private readonly capacity: number;
  private readonly maxBatchSize: number;
  private readonly firstRetryDelay: number;
  private readonly maxRetryDelay: number;
  private readonly logger: Logger;
  private readonly observer: NotifierObserver | undefined;
  /** Insertion-ordered, oldest first. Entries without a key get a unique symbol. */
  private readonly queue = new Map<string | symbol, QueueEntry<T>>();
  private queuedAlerts = 0;
  private sent = 0;
  private failedAttempts = 0;
  private dropped = 0;
  private droppedSinceFlush = 0;
  private errorSinceFlush: string | undefined;
  private draining: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay: number;
  private closed = false;

  /** `maxBatchSize`: entries per {@link send}. */
  protected constructor(name: string, options: NotifierQueueOptions, maxBatchSize: number) {
    this.name = name;
    this.capacity = options.queueCapacity ?? 10_000;
    this.maxBatchSize = maxBatchSize;
    this.firstRetryDelay = options.retryDelayMs ?? 500;
    this.maxRetryDelay = options.maxRetryDelayMs ?? 30_000;
    this.retryDelay = this.firstRetryDelay;
    this.logger = options.logger ?? silentLogger;
    this.observer = options.observer;
  }

  abstract notify(alerts: readonly AlertSnapshot[], context: NotifyContext): Promise<NotifyResult>;

  /** Sends one batch of entries, oldest first. Must not throw. */
  protected abstract send(batch: readonly T[]): Promise<PostOutcome>;

  /** Queues entries behind the others, drops the oldest beyond capacity and starts delivering. */
  protected enqueue(entries: readonly QueueEntry<T>[]): NotifyResult {
    if (this.closed) return { ok: false, accepted: 0, error: 'notifier closed' };
    let accepted = 0;
    for (const entry of entries) {
      const key = entry.key ?? Symbol();
      const replaced = this.queue.get(key);
      if (replaced !== undefined) this.queuedAlerts -= replaced.alerts;
      this.queue.delete(key);
      this.queue.set(key, entry);
      this.queuedAlerts += entry.alerts;
      accepted += entry.alerts;
    }
    let overflow = 0;
    for (const [key, entry] of this.queue) {
      if (this.queuedAlerts <= this.capacity) break;
      this.queue.delete(key);
      this.queuedAlerts -= entry.alerts;
      overflow += entry.alerts;
    }
    if (overflow > 0) {
      this.drop(overflow);
      this.logger.warn(
        { channel: this.name, dropped: overflow },
        'Alert notification queue full, dropping oldest alerts',
      );
    }
    this.kick();
    return { ok: true, accepted };
  }

  private drop(alerts: number): void {
    this.dropped += alerts;
    this.droppedSinceFlush += alerts;
    this.observer?.dropped?.(this.name, alerts);
  }

  private kick(): void {
    if (this.draining !== undefined || this.retryTimer !== undefined || this.closed) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.size > 0 && !this.closed) {
      const batch = [...this.queue].slice(0, this.maxBatchSize);
      const alerts = batch.reduce((n, [, e]) => n + e.alerts, 0);
      const outcome = await this.send(batch.map(([, e]) => e.item));
      if (outcome.ok) {
        this.retryDelay = this.firstRetryDelay;
        this.remove(batch);
        this.sent += alerts;
        this.observer?.sent?.(this.name, alerts);
        continue;
      }
      this.failedAttempts++;
      this.errorSinceFlush = outcome.error;
      this.observer?.failed?.(this.name, alerts);
      this.logger.error({ channel: this.name, alerts, err: outcome.error }, 'Error sending alerts');
      if (!outcome.retryable) {
        this.drop(this.remove(batch));
        continue;
      }
      const delay = Math.min(Math.max(outcome.retryAfterMs ?? 0, this.retryDelay), this.maxRetryDelay);
      this.retryDelay = Math.min(this.retryDelay * 2, this.maxRetryDelay);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.kick();
      }, delay);
      // A library never keeps a process alive by itself; close() or the next flush ends the wait.
      this.retryTimer.unref();
      return;
    }
  }

  /**
   * Removes what was sent or refused, returning the number of alerts removed: a newer entry with the same
   * key, queued meanwhile, stays, and an entry already pushed out of a full queue is not counted twice.
   */
  private remove(batch: readonly [string | symbol, QueueEntry<T>][]): number {
    let removed = 0;
    for (const [key, entry] of batch) {
      if (this.queue.get(key) !== entry) continue;
      this.queue.delete(key);
      this.queuedAlerts -= entry.alerts;
      removed += entry.alerts;
    }
    return removed;
  }

  /**
   * Resolves once the queue is empty or a delivery attempt failed (a retry is then scheduled), with
   * whether every alert handed over since the previous flush was delivered.
   */
  async flush(): Promise<FlushResult> {
    this.kick();
    await this.draining;
    const undelivered = this.droppedSinceFlush + this.queuedAlerts;
    const error = this.errorSinceFlush;
    this.droppedSinceFlush = 0;
    this.errorSinceFlush = undefined;
    if (undelivered === 0) return { ok: true, undelivered };
    return { ok: false, undelivered, error: error ?? 'alerts dropped from a full queue' };
  }

  /** Delivery counters and the number of alerts queued. */
  stats(): NotifierQueueStats {
    return {
      sent: this.sent,
      failedAttempts: this.failedAttempts,
      dropped: this.dropped,
      queueLength: this.queuedAlerts,
    };
  }

  /** Stops retrying and waits for a delivery in progress; alerts still queued are dropped. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.draining;
  }
}
