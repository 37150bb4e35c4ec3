import { CoreMeterProvider } from '@yardstick/metrics-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../logging/logger.ts';
import { type ClusterReportMessage, decodeClusterReport } from './cluster-report.ts';
import { type ReportChannel, startClusterReporter } from './cluster-reporter.ts';

/** A channel that holds each send until `deliver()`, like a primary slow to read. */
function fakeChannel() {
  const sent: ClusterReportMessage[] = [];
  const pending: (() => void)[] = [];
  let disconnect: (() => void) | undefined;
  const channel: ReportChannel & { connected: boolean } = {
    connected: true,
    send(message, callback) {
      sent.push(message);
      pending.push(() => callback(null));
    },
    onDisconnect(listener) {
      disconnect = listener;
      return () => {
        disconnect = undefined;
      };
    },
  };
  return {
    channel,
    sent,
    deliver: () => {
      for (const done of pending.splice(0)) done();
    },
    disconnect: () => {
      channel.connected = false;
      disconnect?.();
    },
  };
}

/** The `requests` total of a sent report. */
function requestsIn(message: ClusterReportMessage | undefined): unknown {
  if (message === undefined) return undefined;
  const decoded = decodeClusterReport(message);
  if (!decoded.ok) throw new Error(decoded.problem);
  return decoded.report.collections[0]?.scopeMetrics[0]?.metrics[0]?.dataPoints[0]?.value;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('startClusterReporter', () => {
  it('sends cumulative totals every interval, one report at a time, and a final one on stop', async () => {
    vi.useFakeTimers();
    const core = new CoreMeterProvider();
    const fake = fakeChannel();
    const reporter = startClusterReporter({
      core,
      histogramAggregations: ['explicit', 'exponential'],
      intervalMs: 1_000,
      logger: silentLogger,
      channel: fake.channel,
    });
    const requests = core.getMeter('app').createCounter('requests');
    requests.add(2);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fake.sent).toHaveLength(1);
    expect(decodeClusterReport(fake.sent[0]!)).toMatchObject({
      ok: true,
      report: {
        collections: [{ histogramAggregation: 'explicit' }, { histogramAggregation: 'exponential' }],
      },
    });
    // Not delivered yet: later ticks do not queue more reports behind it.
    await vi.advanceTimersByTimeAsync(3_000);
    expect(fake.sent).toHaveLength(1);
    fake.deliver();
    requests.add(3);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(requestsIn(fake.sent[1])).toBe(5);
    fake.deliver();

    requests.add(1);
    const stopped = reporter.stop();
    await vi.advanceTimersByTimeAsync(0);
    fake.deliver();
    await stopped;
    expect(fake.sent.map(requestsIn)).toEqual([2, 5, 6]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(fake.sent).toHaveLength(3);
  });

  it('stops reporting when the channel to the primary closes', async () => {
    vi.useFakeTimers();
    const fake = fakeChannel();
    const reporter = startClusterReporter({
      core: new CoreMeterProvider(),
      histogramAggregations: ['explicit'],
      intervalMs: 100,
      logger: silentLogger,
      channel: fake.channel,
    });
    fake.disconnect();
    await vi.advanceTimersByTimeAsync(1_000);
    await reporter.stop();
    expect(fake.sent).toEqual([]);
  });
});
