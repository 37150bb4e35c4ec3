/**
 * Remote write into a real Prometheus 2.42 (`--web.enable-remote-write-receiver`): every sample the embedded
 * store holds arrives with the same name and labels as on /metrics, plus job/instance, at the same timestamp
 * and with the same value, compared over Prometheus's own query API; with `store.path`, what a service could not
 * deliver before it was restarted goes out after the restart. Longer outages: remote-write-outage.test.ts.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { peer, tempDir } from './support/peers.ts';
import { compareWhenSettled, prometheusReceiver, type Receiver } from './support/remote-write-receivers.ts';
import { SHOP_SERIES, startWritingService } from './support/remote-write-service.ts';

const prometheus = peer('prometheus');

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function started(): Promise<Receiver> {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const receiver = await prometheusReceiver(prometheus.path!, dir);
  cleanups.push(() => receiver.stop());
  await receiver.start();
  return receiver;
}

describe.skipIf(prometheus.skipReason !== undefined)('remote write to a real Prometheus 2.42', () => {
  it('delivers every sample with its labels, job, instance, timestamp and exact value', async () => {
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
      { nameRegex: '.+', untilMs },
    );
    expect(differences).toEqual({ missing: 0, unexpected: 0, wrongValue: 0, examples: [] });

    // The names are those of /metrics, and the comparison above covered real data.
    const shop = await receiver.samples(`{__name__=~"${SHOP_SERIES}",job="shop",instance="shop-1"}`);
    const names = [...shop.keys()].map(
      (key) => (JSON.parse(key) as Array<[string, string]>).find(([name]) => name === '__name__')?.[1],
    );
    expect(new Set(names)).toEqual(
      new Set([
        'shop_orders_total',
        'shop_queue_depth',
        'shop_latency_seconds_bucket',
        'shop_latency_seconds_sum',
        'shop_latency_seconds_count',
      ]),
    );
    expect(Math.min(...[...shop.values()].map((samples) => samples.length))).toBeGreaterThanOrEqual(8);
    expect(await service.selfMetric('yardstick_remote_write_samples_dropped_total')).toBe(0);
    expect(await service.selfMetric('yardstick_remote_write_samples_sent_total')).toBeGreaterThan(0);
    expect(await service.selfMetric('yardstick_remote_write_highest_sent_timestamp_seconds')).toBeGreaterThan(
      untilMs / 1000 - 60,
    );
  }, 60_000);

  it('with store.path, sends after a restart of the service what it could not deliver before', async () => {
    const receiver = await started();
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const storePath = join(dir, 'store');
    const before = await startWritingService(receiver.writeUrl, { storePath });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await receiver.stop();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await before.selfMetric('yardstick_remote_write_pending')).toBeGreaterThan(0);
    await before.shutdown();

    await receiver.start();
    const after = await startWritingService(receiver.writeUrl, { storePath });
    cleanups.push(() => after.shutdown());
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    after.stopRecording();
    await after.telemetry.forceFlush();
    // The restored store holds both runs' samples; the receiver must hold every one of them.
    const differences = await compareWhenSettled(
      receiver,
      { store: after.telemetry.store!, target: after.target },
      { nameRegex: '.+', untilMs: Date.now() },
    );
    expect(differences).toEqual({ missing: 0, unexpected: 0, wrongValue: 0, examples: [] });
    const orders = await receiver.samples('{__name__="shop_orders_total",region="eu"}');
    // ~3.5 s before the restart at 4 collections a second, ~1.5 s after it.
    expect([...orders.values()][0]!.length).toBeGreaterThanOrEqual(15);
    expect(await after.selfMetric('yardstick_remote_write_samples_dropped_total')).toBe(0);
  }, 60_000);
});
