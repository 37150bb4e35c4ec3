/**
 * A receiver outage, with real receivers: Prometheus 2.42 and VictoriaMetrics 1.79 are stopped at once for
 * 60 s (the figure; YARDSTICK_TEST_OUTAGE_MS shortens it when iterating locally) and started again on
 * the same data, while four services write to them: with `store.path` and memory-only, to each receiver.
 * One outage for all four keeps the suite at one minute of waiting.
 *
 * - With `store.path` the backlog is read from disk: during the outage it grows far past the memory queue's
 *   capacity with nothing dropped, and afterwards the receiver holds every sample, with no gap.
 * - Memory-only, the queue stays within its capacity, the oldest collections are dropped and counted, and
 *   afterwards the receiver holds every sample except exactly the dropped ones.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peer, tempDir } from './support/peers.ts';
import {
  compareWhenSettled,
  prometheusReceiver,
  type Receiver,
  type SampleDifferences,
  victoriaMetricsReceiver,
} from './support/remote-write-receivers.ts';
import { startWritingService, type WritingService } from './support/remote-write-service.ts';

const prometheus = peer('prometheus');
const victoria = peer('victoria-metrics');
const skipReason = prometheus.skipReason ?? victoria.skipReason;

const OUTAGE_MS = Number(process.env.YARDSTICK_TEST_OUTAGE_MS ?? 60_000);
/** queue.capacity of every service: what memory-only mode may hold, and far less than the outage brings. */
const CAPACITY = 300;
/** What one request and the connections in flight may add to the queue (maxSamplesPerSend 100 x 2). */
const IN_FLIGHT = 200;
/** VictoriaMetrics keeps about 15 significant digits. */
const TOLERANCE = { prometheus: 0, victoria: 1e-12 };

type Mode = 'persistent' | 'memory';
type ReceiverName = keyof typeof TOLERANCE;

interface Scenario {
  readonly mode: Mode;
  readonly receiverName: ReceiverName;
  readonly receiver: Receiver;
  readonly service: WritingService;
  /** Self-metrics read just before the receivers came back. */
  duringOutage?: { pending: number; failed: number; dropped: number };
  /** Self-metrics and the comparison with the receiver once delivery settled. */
  after?: { pending: number; dropped: number; differences: SampleDifferences };
}

const cleanups: Array<() => Promise<void> | void> = [];
const scenarios: Scenario[] = [];

function scenario(mode: Mode, receiverName: ReceiverName): Scenario {
  const found = scenarios.find((s) => s.mode === mode && s.receiverName === receiverName);
  if (found === undefined) throw new Error(`no ${mode} scenario for ${receiverName}`);
  return found;
}

async function selfMetrics(service: WritingService) {
  const [pending, failed, dropped] = await Promise.all([
    service.selfMetric('yardstick_remote_write_pending'),
    service.selfMetric('yardstick_remote_write_samples_failed_total'),
    service.selfMetric('yardstick_remote_write_samples_dropped_total'),
  ]);
  return { pending, failed, dropped };
}

describe.skipIf(skipReason !== undefined)(
  `remote write across a ${OUTAGE_MS / 1000} s receiver outage`,
  () => {
    beforeAll(async () => {
      const { dir, cleanup } = tempDir();
      cleanups.push(cleanup);
      const receivers = {
        prometheus: await prometheusReceiver(prometheus.path!, join(dir, 'prometheus')),
        victoria: await victoriaMetricsReceiver(victoria.path!, join(dir, 'victoria')),
      };
      for (const receiver of Object.values(receivers)) {
        cleanups.push(() => receiver.stop());
        await receiver.start();
      }
      for (const receiverName of ['prometheus', 'victoria'] as const) {
        for (const mode of ['persistent', 'memory'] as const) {
          const service = await startWritingService(receivers[receiverName].writeUrl, {
            instance: `${mode}-${receiverName}`,
            storePath: mode === 'persistent' ? join(dir, `store-${receiverName}`) : undefined,
            capacity: CAPACITY,
          });
          cleanups.push(() => service.shutdown());
          scenarios.push({ mode, receiverName, receiver: receivers[receiverName], service });
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 2_000));

      await Promise.all(Object.values(receivers).map((receiver) => receiver.stop()));
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      for (const s of scenarios) s.duringOutage = await selfMetrics(s.service);
      for (const receiver of Object.values(receivers)) await receiver.start();

      // Recording goes on for a while after the receivers are back, then the comparison is cut off.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      for (const s of scenarios) s.service.stopRecording();
      await Promise.all(scenarios.map((s) => s.service.telemetry.forceFlush()));
      const untilMs = Date.now();
      await Promise.all(
        scenarios.map(async (s) => {
          let dropped = 0;
          const differences = await compareWhenSettled(
            s.receiver,
            { store: s.service.telemetry.store!, target: s.service.target },
            {
              nameRegex: '.+',
              untilMs,
              relativeTolerance: TOLERANCE[s.receiverName],
              timeoutMs: 60_000,
              // Memory-only mode settles with exactly the dropped samples missing; with store.path, none.
              settled: async (d) => {
                dropped = (await selfMetrics(s.service)).dropped;
                return d.unexpected === 0 && d.wrongValue === 0 && d.missing === dropped;
              },
            },
          );
          s.after = { pending: (await selfMetrics(s.service)).pending, dropped, differences };
        }),
      );
    }, OUTAGE_MS + 150_000);

    afterAll(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    describe.each(['prometheus', 'victoria'] as const)('writing to %s', (receiverName) => {
      it('with store.path, keeps the backlog on disk (past the memory capacity, nothing dropped) and leaves no gap', () => {
        const { duringOutage, after } = scenario('persistent', receiverName);
        expect(duringOutage!.failed).toBeGreaterThan(0);
        expect(duringOutage!.pending).toBeGreaterThan(CAPACITY + IN_FLIGHT);
        expect(duringOutage!.dropped).toBe(0);
        expect(after!.differences).toEqual({ missing: 0, unexpected: 0, wrongValue: 0, examples: [] });
        expect(after!.dropped).toBe(0);
      });

      it('memory-only, bounds the queue, counts what it drops, and delivers all the rest', () => {
        const { duringOutage, after } = scenario('memory', receiverName);
        expect(duringOutage!.pending).toBeLessThanOrEqual(CAPACITY + IN_FLIGHT);
        expect(duringOutage!.dropped).toBeGreaterThan(0);
        // Every sample the receiver lacks is one the counter reported dropped, and no other is missing.
        expect(after!.differences.unexpected).toBe(0);
        expect(after!.differences.wrongValue).toBe(0);
        expect(after!.differences.missing).toBe(after!.dropped);
        expect(after!.dropped).toBeGreaterThanOrEqual(duringOutage!.dropped);
      });
    });
  },
);
