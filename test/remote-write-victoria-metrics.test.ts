/**
 * Remote write into a real VictoriaMetrics 1.79 (`/api/v1/write`): every sample the embedded store holds
 * arrives with the same name and labels as on /metrics, plus job/instance, at the same timestamp, compared
 * over VictoriaMetrics' export API. Values agree to VictoriaMetrics' precision (it keeps about 15 significant
 * digits). Outages: remote-write-outage.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { peer, tempDir } from './support/peers.ts';
import {
  compareWhenSettled,
  type Receiver,
  victoriaMetricsReceiver,
} from './support/remote-write-receivers.ts';
import { SHOP_SERIES, startWritingService } from './support/remote-write-service.ts';

const victoria = peer('victoria-metrics');

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function started(): Promise<Receiver> {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const receiver = await victoriaMetricsReceiver(victoria.path!, dir);
  cleanups.push(() => receiver.stop());
  await receiver.start();
  return receiver;
}

describe.skipIf(victoria.skipReason !== undefined)('remote write to a real VictoriaMetrics 1.79', () => {
  it('delivers every sample with its labels, job, instance and timestamp', async () => {
    const receiver = await started();
    const service = await startWritingService(receiver.writeUrl);
    cleanups.push(() => service.shutdown());
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    service.stopRecording();
    await service.telemetry.forceFlush();
    const untilMs = Date.now();
    const differences = await compareWhenSettled(
      receiver,
      { store: service.telemetry.store!, target: service.target },
      { nameRegex: '.+', untilMs, relativeTolerance: 1e-12 },
    );
    expect(differences).toEqual({ missing: 0, unexpected: 0, wrongValue: 0, examples: [] });

    const shop = await receiver.samples(`{__name__=~"${SHOP_SERIES}",job="shop",instance="shop-1"}`);
    // orders by region (2), queue depth, 4 latency buckets, sum and count.
    expect(shop.size).toBe(9);
    expect(Math.min(...[...shop.values()].map((samples) => samples.length))).toBeGreaterThanOrEqual(8);
    expect(await service.selfMetric('yardstick_remote_write_samples_dropped_total')).toBe(0);
  }, 60_000);
});
