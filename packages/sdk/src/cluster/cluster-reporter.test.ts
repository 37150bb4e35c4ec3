import { CoreMeterProvider } from '@yardstick/metrics-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../logging/logger.ts';
import { type ClusterReport, type ClusterReportMessage, decodeClusterReport } from './cluster-report.ts';
import { FULL_REPORT_EVERY, type ReportChannel, startClusterReporter } from './cluster-reporter.ts';

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

function decoded(message: ClusterReportMessage | undefined): ClusterReport {
  if (message === undefined) throw new Error('no report was sent');
  const result = decodeClusterReport(message);
  if (!result.ok) throw new Error(result.problem);
  return result.report;
}

/** The `route` attribute of every point a report carries. */
function routesIn(message: ClusterReportMessage | undefined): unknown[] {
  return decoded(message).collections.flatMap((collection) =>
    collection.scopeMetrics.flatMap((scope) =>
      scope.metrics.flatMap((metric) =>
        (metric.dataPoints as { attributes: { route?: unknown } }[]).map((point) => point.attributes.route),
      ),
    ),
  );
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

  it('after 1 of 1,000 series changed, sends that series alone, and nothing when none changed', async () => {
    vi.useFakeTimers();
    const core = new CoreMeterProvider();
    const fake = fakeChannel();
    const reporter = startClusterReporter({
      core,
      histogramAggregations: ['explicit'],
      intervalMs: 1_000,
      logger: silentLogger,
      channel: fake.channel,
    });
    const requests = core.getMeter('app').createCounter('requests');
    for (let i = 0; i < 1_000; i++) requests.add(1, { route: `/r${i}` });
    await vi.advanceTimersByTimeAsync(1_000);
    fake.deliver();
    expect(decoded(fake.sent[0])).toMatchObject({ sequence: 1, full: true });
    expect(routesIn(fake.sent[0])).toHaveLength(1_000);

    requests.add(1, { route: '/r500' });
    await vi.advanceTimersByTimeAsync(1_000);
    fake.deliver();
    expect(decoded(fake.sent[1])).toMatchObject({ sequence: 2, full: false });
    expect(routesIn(fake.sent[1])).toEqual(['/r500']);
    // The IPC traffic follows the change: well under a hundredth of the full report.
    expect(fake.sent[1]!.body.length * 100).toBeLessThan(fake.sent[0]!.body.length);

    await vi.advanceTimersByTimeAsync(3_000);
    expect(fake.sent).toHaveLength(2);
    await reporter.stop();
    expect(fake.sent).toHaveLength(2);
  });

  it('sends a full report after one that failed, and every FULL_REPORT_EVERY reports', async () => {
    vi.useFakeTimers();
    const core = new CoreMeterProvider();
    const sent: ClusterReportMessage[] = [];
    let failing = false;
    const reporter = startClusterReporter({
      core,
      histogramAggregations: ['explicit'],
      intervalMs: 1_000,
      logger: silentLogger,
      channel: {
        connected: true,
        send(message, callback) {
          sent.push(message);
          callback(failing ? new Error('EPIPE') : null);
        },
        onDisconnect: () => () => undefined,
      },
    });
    const requests = core.getMeter('app').createCounter('requests');
    requests.add(1, { route: '/a' });
    requests.add(1, { route: '/b' });
    await vi.advanceTimersByTimeAsync(1_000);
    requests.add(1, { route: '/a' });
    failing = true;
    await vi.advanceTimersByTimeAsync(1_000);
    failing = false;
    requests.add(1, { route: '/a' });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sent.map((message) => [decoded(message).full, routesIn(message).length])).toEqual([
      [true, 2],
      [false, 1],
      [true, 2],
    ]);
    for (let i = 0; i < FULL_REPORT_EVERY; i++) {
      requests.add(1, { route: '/a' });
      await vi.advanceTimersByTimeAsync(1_000);
    }
    const fulls = sent.slice(3).map((message) => decoded(message).full);
    expect(fulls.filter(Boolean)).toHaveLength(1);
    expect(fulls.at(-1)).toBe(true);
    await reporter.stop();
  });
});
