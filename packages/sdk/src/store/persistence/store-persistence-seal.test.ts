import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { LoopSlice } from '@yardstick/metrics-core';
import { FloatHistogram, type Labels, SampleStore, STALE_NAN } from '@yardstick/promql';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../logging/logger.ts';
import { STORE_DATABASE_FILE } from './store-database.ts';
import { SEAL_EVERY, StorePersistence } from './store-persistence.ts';

const collection = { resource: resourceFromAttributes({}), scopeMetrics: [] } as ResourceMetrics;
const start = 1_700_000_000_000;
const step = 15_000;
const noLimits = { retentionMs: Number.POSITIVE_INFINITY, maxBytes: Number.POSITIVE_INFINITY };
const everything = [{ type: '=~', name: '__name__', value: '.+' }] as const;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempStorePath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'yardstick-seal-'));
  dirs.push(dir);
  return join(dir, 'store');
}

function open(path: string): StorePersistence {
  return StorePersistence.open({ path, ...noLimits, logger: silentLogger, now: () => start });
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Collection `i` of `series` counters, a gauge that goes stale at 50 and a native histogram, written to
 * `live` and `persistence` as the store reader would; `slice` is the collection's.
 */
function collect(
  persistence: StorePersistence,
  live: SampleStore,
  i: number,
  series: number,
  slice = new LoopSlice(5),
): Promise<void> {
  const t = start + i * step;
  for (let s = 0; s < series; s++) {
    const labels: Labels = { __name__: 'requests_total', route: `/r/${s}` };
    live.append(labels, t, i * (s + 1));
    persistence.add(labels, i * (s + 1));
  }
  const gauge: Labels = { __name__: 'queue_depth' };
  if (i <= 50) {
    const value = i === 50 ? STALE_NAN : i % 7;
    if (i === 50) live.appendStaleMarker(gauge, t);
    else live.append(gauge, t, value);
    persistence.add(gauge, value);
  }
  const histogram = new FloatHistogram({
    schema: 0,
    count: 3 * i,
    sum: i / 4,
    positiveSpans: [{ offset: 0, length: 2 }],
    positiveBuckets: [i, 2 * i],
  });
  const latency: Labels = { __name__: 'latency_seconds' };
  live.appendHistogram(latency, t, histogram);
  persistence.addHistogram(latency, histogram);
  return persistence.collected(t, collection, slice);
}

/** Every series of `store` with its samples, in label order (a restore adds series in another order). */
function history(store: SampleStore) {
  return [...store.select(everything, 0, start * 2)].sort((a, b) =>
    JSON.stringify(a.labels) < JSON.stringify(b.labels) ? -1 : 1,
  );
}

function restored(path: string): SampleStore {
  const store = new SampleStore();
  const persistence = open(path);
  persistence.restoreInto(store);
  persistence.close();
  return store;
}

/** Samples the file holds, each sealed or head copy counted. */
function samplesOnDisk(path: string): number {
  const db = new DatabaseSync(join(path, STORE_DATABASE_FILE), { readOnly: true });
  const count = (sql: string) => Number((db.prepare(sql).get() as { n: number | null }).n ?? 0);
  const n =
    count('SELECT sum(count) AS n FROM chunks') +
    count('SELECT sum(length(data)) / 16 AS n FROM head') +
    count('SELECT sum(count) AS n FROM histogram_chunks') +
    count('SELECT count(*) AS n FROM histograms');
  db.close();
  return n;
}

describe('StorePersistence seal', () => {
  it('gives the event loop turns while it seals a few thousand series: a timer set at its start fires before its end', async () => {
    const path = tempStorePath();
    const persistence = open(path);
    const live = new SampleStore();
    for (let i = 0; i < SEAL_EVERY - 1; i++) await collect(persistence, live, i, 2_000);
    let timerFired = false;
    let firedBeforeEnd = false;
    let turns = 0;
    let sealed = false;
    setTimeout(() => {
      timerFired = true;
    }, 0);
    const sealing = collect(persistence, live, SEAL_EVERY - 1, 2_000, new LoopSlice(0)).finally(() => {
      sealed = true;
      firedBeforeEnd = timerFired;
    });
    while (!sealed) {
      await nextTurn();
      if (!sealed) turns++;
    }
    await sealing;
    persistence.close();
    expect(firedBeforeEnd).toBe(true);
    // At least a turn per sealed collection (each is read, and later deleted, on its own).
    expect(turns).toBeGreaterThanOrEqual(2 * SEAL_EVERY);
    expect(history(restored(path))).toEqual(history(live));
  });

  it('loses and doubles nothing when the process dies between any two transactions of a seal', async () => {
    const series = 3;
    let crashes = 0;
    for (let crashAt = 1; ; crashAt += 7) {
      const path = tempStorePath();
      const live = new SampleStore();
      const first = open(path);
      for (let i = 0; i < SEAL_EVERY - 1; i++) await collect(first, live, i, series);
      // The collection that seals, with a turn (and a commit) after every step; the process "dies" (the
      // database is closed: what was committed stays, nothing else) at its `crashAt`th turn.
      let turns = 0;
      let sealed = false;
      const sealing = collect(first, live, SEAL_EVERY - 1, series, new LoopSlice(0)).finally(() => {
        sealed = true;
      });
      while (!sealed) {
        await nextTurn();
        if (++turns === crashAt) first.close();
      }
      await sealing;
      first.close();
      if (turns < crashAt) break;
      crashes++;
      expect(history(restored(path)), `crash at turn ${crashAt}`).toEqual(history(live));

      // After the restart, the next seal completes the interrupted one: each sample on disk once.
      const second = open(path);
      second.restoreInto(new SampleStore());
      for (let i = SEAL_EVERY; i < 2 * SEAL_EVERY + 5; i++) await collect(second, live, i, series);
      second.close();
      const all = history(live);
      expect(history(restored(path)), `crash at turn ${crashAt}`).toEqual(all);
      const liveSamples = all.reduce((sum, s) => sum + s.timestamps.length, 0);
      expect(samplesOnDisk(path), `crash at turn ${crashAt}`).toBe(liveSamples);
    }
    // Crashes while reading the head, writing chunks, and deleting the sealed rows.
    expect(crashes).toBeGreaterThan(30);
  });
});
