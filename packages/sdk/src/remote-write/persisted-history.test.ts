import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { LoopSlice } from '@yardstick/metrics-core';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logging/logger.ts';
import { SEAL_EVERY, StorePersistence } from '../store/persistence/store-persistence.ts';
import { PersistedHistory } from './persisted-history.ts';

const collection = { resource: resourceFromAttributes({}), scopeMetrics: [] } as ResourceMetrics;
const start = 1_700_000_000_000;
const step = 15_000;
const SERIES = 50;
/** Ten collections per batch read from sealed chunks, as startRemoteWrite sets it up. */
const WINDOW_MS = 10 * step;
const target = { job: 'checkout', instance: 'host-1' };

const open: StorePersistence[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const persistence of open.splice(0)) persistence.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function openStore(path: string): StorePersistence {
  const persistence = StorePersistence.open({
    path,
    retentionMs: Number.POSITIVE_INFINITY,
    maxBytes: Number.POSITIVE_INFINITY,
    logger: silentLogger,
  });
  open.push(persistence);
  return persistence;
}

/** Collections `from` until `to` (excluded) of SERIES counters, value `collection * 1000 + series`. */
async function record(persistence: StorePersistence, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) {
    for (let s = 0; s < SERIES; s++)
      persistence.add({ __name__: 'jobs_total', queue: `q${s}` }, i * 1000 + s);
    await persistence.collected(start + i * step, collection, new LoopSlice(5));
  }
}

/** Takes and acknowledges batches until caught up (or `limit` batches); returns what was read. */
function drain(history: PersistedHistory, limit = Number.POSITIVE_INFINITY) {
  const batchSizes: number[] = [];
  const samples = new Map<string, Array<[number, number]>>();
  for (let batch = history.next(200); batch !== undefined; batch = history.next(200)) {
    batchSizes.push(batch.samples);
    for (const series of batch.series) {
      const key = series.labels.map(({ name, value }) => `${name}=${value}`).join(',');
      const list = samples.get(key) ?? [];
      for (const { timestamp, value } of series.samples) list.push([timestamp, value]);
      samples.set(key, list);
    }
    batch.ack();
    if (batchSizes.length >= limit) break;
  }
  return { batchSizes, samples };
}

describe('PersistedHistory', () => {
  it('reads an outage backlog from sealed chunks and head in bounded batches, each sample once, in order', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'yardstick-history-')), 'store');
    dirs.push(join(path, '..'));
    const persistence = openStore(path);
    const history = new PersistedHistory(persistence.database.db, 'prometheus', target, WINDOW_MS);
    // Two seals and a head: 2.5 x SEAL_EVERY collections that the receiver never took.
    const collections = Math.floor(2.5 * SEAL_EVERY);
    await record(persistence, 0, collections);
    expect(history.pendingSamples()).toBe(collections * SERIES);

    const { batchSizes, samples } = drain(history);
    // Memory holds one batch: ten collections from chunks, about maxSamples from the head, however long
    // the backlog grew.
    expect(Math.max(...batchSizes)).toBeLessThanOrEqual(10 * SERIES);
    expect(batchSizes.reduce((a, b) => a + b, 0)).toBe(collections * SERIES);
    expect(samples.size).toBe(SERIES);
    const q7 = samples.get('__name__=jobs_total,instance=host-1,job=checkout,queue=q7');
    expect(q7).toEqual(Array.from({ length: collections }, (_, i) => [start + i * step, i * 1000 + 7]));
    expect(history.pendingSamples()).toBe(0);
    expect(history.next(200)).toBeUndefined();
  });

  it('resumes after a restart from the cursor of the last acknowledged batch', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'yardstick-history-')), 'store');
    dirs.push(join(path, '..'));
    const first = openStore(path);
    const before = new PersistedHistory(first.database.db, 'prometheus', target, WINDOW_MS);
    await record(first, 0, SEAL_EVERY + 30);
    const delivered = drain(before, 3);
    const lastDelivered = Math.max(...[...delivered.samples.values()].flat().map(([t]) => t));
    first.close();

    const second = openStore(path);
    const after = new PersistedHistory(second.database.db, 'prometheus', target, WINDOW_MS);
    const rest = drain(after);
    const times = [...rest.samples.values()].flat().map(([t]) => t);
    // Nothing delivered is sent again, nothing undelivered is skipped.
    expect(Math.min(...times)).toBe(lastDelivered + step);
    expect(times.length + [...delivered.samples.values()].flat().length).toBe((SEAL_EVERY + 30) * SERIES);
    // Another endpoint has a cursor of its own, and a new one starts at the present.
    const other = new PersistedHistory(second.database.db, 'victoria', target, WINDOW_MS);
    expect(other.pendingSamples()).toBe(0);
  });
});
