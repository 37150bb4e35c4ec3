import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { LoopSlice } from '@yardstick/metrics-core';
import { FloatHistogram, isStaleNaN, type Labels, SampleStore, STALE_NAN } from '@yardstick/promql';
import { afterEach, describe, expect, it } from 'vitest';
import { type Logger, silentLogger } from '../../logging/logger.ts';
import { STORE_DATABASE_FILE } from './store-database.ts';
import { SEAL_EVERY, StorePersistence } from './store-persistence.ts';

const collection = { resource: resourceFromAttributes({}), scopeMetrics: [] } as ResourceMetrics;
const start = 1_700_000_000_000;
const step = 15_000;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempStorePath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'yardstick-persist-'));
  dirs.push(dir);
  return join(dir, 'store');
}

function recordingLogger(): Logger & { errors: Array<Record<string, unknown>> } {
  const errors: Array<Record<string, unknown>> = [];
  return {
    ...silentLogger,
    errors,
    error: (fields: object) => errors.push(fields as Record<string, unknown>),
  };
}

const noLimits = { retentionMs: Number.POSITIVE_INFINITY, maxBytes: Number.POSITIVE_INFINITY };

/** Writes `count` collections of two counters and a gauge, as the store reader would. */
async function record(persistence: StorePersistence, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i++) {
    persistence.add({ __name__: 'requests_total', route: '/a' }, i);
    persistence.add({ __name__: 'requests_total', route: '/b' }, 2 * i);
    // The gauge ends at collection 5 with a staleness marker.
    if (i < 5) persistence.add({ __name__: 'queue_depth' }, i % 3);
    else if (i === 5) persistence.add({ __name__: 'queue_depth' }, STALE_NAN);
    await persistence.collected(start + i * step, collection, new LoopSlice(5));
  }
}

/** A cumulative native histogram after `i` collections: buckets growing at different rates. */
function latencyAt(i: number): FloatHistogram {
  const positiveBuckets = [i, 2 * i, (i * i) % 7, 3];
  return new FloatHistogram({
    schema: 2,
    zeroCount: i % 2,
    count: positiveBuckets.reduce((a, b) => a + b, i % 2),
    sum: i * 0.37,
    positiveSpans: [
      { offset: -3, length: 2 },
      { offset: 4, length: 2 },
    ],
    positiveBuckets,
  });
}

/**
 * Writes `count` collections, as the store reader would, to `live` and `persistence`: a native histogram
 * series that ends at collection 10 with a staleness marker and comes back at 12, and a counter.
 */
async function recordHistograms(
  persistence: StorePersistence,
  live: SampleStore,
  from: number,
  count: number,
): Promise<void> {
  const latency: Labels = { __name__: 'latency_seconds', route: '/a' };
  const requests: Labels = { __name__: 'requests_total' };
  for (let i = from; i < from + count; i++) {
    const t = start + i * step;
    if (i === 10) {
      live.appendStaleMarker(latency, t);
      persistence.add(latency, STALE_NAN);
    } else if (i !== 11) {
      const histogram = latencyAt(i);
      live.appendHistogram(latency, t, histogram);
      persistence.addHistogram(latency, histogram);
    }
    live.append(requests, t, i);
    persistence.add(requests, i);
    await persistence.collected(t, collection, new LoopSlice(5));
  }
}

const everything = [{ type: '=~', name: '__name__', value: '.+' }] as const;

function restored(path: string, options = noLimits): SampleStore {
  const store = new SampleStore();
  const persistence = StorePersistence.open({ path, ...options, logger: silentLogger, now: () => start });
  persistence.restoreInto(store);
  persistence.close();
  return store;
}

describe('StorePersistence', () => {
  it('restores every collection, sealed and not yet sealed, with exact timestamps and values', async () => {
    const path = tempStorePath();
    const persistence = StorePersistence.open({ path, ...noLimits, logger: silentLogger });
    const collections = SEAL_EVERY + 30;
    await record(persistence, 0, collections);
    persistence.close();

    const store = restored(path);
    const [a] = [...store.select([{ type: '=', name: 'route', value: '/a' }], 0, Number.MAX_SAFE_INTEGER)];
    expect(a?.timestamps.length).toBe(collections);
    expect([...a!.timestamps]).toEqual(Array.from({ length: collections }, (_, i) => start + i * step));
    expect([...a!.values]).toEqual(Array.from({ length: collections }, (_, i) => i));
    const [gauge] = [...store.select([{ type: '=', name: '__name__', value: 'queue_depth' }], 0, start * 2)];
    expect(gauge?.values.length).toBe(6);
    expect(isStaleNaN(gauge!.values[5]!)).toBe(true);
    expect(store.stats().samples).toBe(2 * collections + 6);
  });

  it('restores native histograms and the staleness markers between them exactly, across a seal and a restart', async () => {
    const path = tempStorePath();
    const live = new SampleStore();
    const first = StorePersistence.open({ path, ...noLimits, logger: silentLogger });
    await recordHistograms(first, live, 0, SEAL_EVERY + 20);
    const db = first.database.db;
    expect(db.prepare('SELECT count(*) AS n FROM histogram_chunks').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT count(*) AS n FROM histograms').get()).toEqual({ n: 20 });
    first.close();
    // The seal put the marker of collection 10 in a chunk, between histogram rows before and after it.
    const second = StorePersistence.open({ path, ...noLimits, logger: silentLogger });
    const store = new SampleStore();
    expect(second.restoreInto(store).rejected).toBe(0);
    await recordHistograms(second, live, SEAL_EVERY + 20, 15);
    second.close();

    const expected = [...live.select(everything, 0, start * 2)];
    const [latency] = expected;
    expect(latency?.histograms?.filter((h) => h !== undefined)).toHaveLength(SEAL_EVERY + 20 + 15 - 2);
    expect(isStaleNaN(latency!.values[10]!)).toBe(true);
    expect([...restored(path).select(everything, 0, start * 2)]).toEqual(expected);
  });

  it.for([
    { version: 1, missing: ['histograms', 'histogram_chunks', 'sealed'] },
    { version: 2, missing: ['histogram_chunks', 'sealed'] },
    { version: 3, missing: ['sealed'] },
  ])(
    'opens a store of version $version (without $missing) with its history, and adds the tables',
    async ({ version, missing }) => {
      const path = tempStorePath();
      const old = StorePersistence.open({ path, ...noLimits, logger: silentLogger });
      await record(old, 0, 3);
      old.close();
      const file = new DatabaseSync(join(path, STORE_DATABASE_FILE));
      for (const table of missing) file.exec(`DROP TABLE ${table}`);
      file.exec(`PRAGMA user_version = ${version}`);
      file.close();
      const logger = recordingLogger();
      const live = new SampleStore();
      const upgraded = StorePersistence.open({ path, ...noLimits, logger });
      upgraded.restoreInto(live);
      await recordHistograms(upgraded, live, 3, 2);
      upgraded.close();
      expect(logger.errors).toEqual([]);
      expect(restored(path).stats().samples).toBe(3 * 2 + 3 + 2 * 2);
    },
  );

  it('seals the head into chunks so a sample costs a few bytes on disk', async () => {
    const path = tempStorePath();
    const persistence = StorePersistence.open({ path, ...noLimits, logger: silentLogger });
    await record(persistence, 0, SEAL_EVERY);
    const db = persistence.database.db;
    expect(db.prepare('SELECT count(*) AS n FROM head').get()).toEqual({ n: 0 });
    const { bytes } = db.prepare('SELECT sum(length(data)) AS bytes FROM chunks').get() as { bytes: number };
    expect(bytes / (2 * SEAL_EVERY + 6)).toBeLessThan(3);
    persistence.close();
  });

  it('continues after a restart: new collections append to the restored series', async () => {
    const path = tempStorePath();
    const first = StorePersistence.open({ path, ...noLimits, logger: silentLogger });
    await record(first, 0, 10);
    first.close();
    const second = StorePersistence.open({ path, ...noLimits, logger: silentLogger });
    second.restoreInto(new SampleStore());
    await record(second, 10, SEAL_EVERY);
    second.close();
    const [a] = [...restored(path).select([{ type: '=', name: 'route', value: '/a' }], 0, start * 2)];
    expect(a?.values.length).toBe(10 + SEAL_EVERY);
  });

  it('makes the directory 0700 and the database, -wal and -shm files 0600', async () => {
    const path = tempStorePath();
    const persistence = StorePersistence.open({ path, ...noLimits, logger: silentLogger });
    await record(persistence, 0, 3);
    expect(statSync(path).mode & 0o777).toBe(0o700);
    const files = readdirSync(path);
    expect(files.sort()).toEqual([
      STORE_DATABASE_FILE,
      `${STORE_DATABASE_FILE}-shm`,
      `${STORE_DATABASE_FILE}-wal`,
    ]);
    for (const file of files) expect(statSync(join(path, file)).mode & 0o777, file).toBe(0o600);
    persistence.close();
  });

  it('moves a corrupt file aside, reports its path and starts empty', async () => {
    const path = tempStorePath();
    const first = StorePersistence.open({ path, ...noLimits, logger: silentLogger });
    first.close();
    const file = join(path, STORE_DATABASE_FILE);
    writeFileSync(file, Buffer.alloc(8192, 0xab));
    const logger = recordingLogger();
    const persistence = StorePersistence.open({ path, ...noLimits, logger });
    expect(logger.errors).toHaveLength(1);
    expect(logger.errors[0]?.path).toBe(file);
    const moved = readdirSync(path).filter((name) => name.startsWith(`${STORE_DATABASE_FILE}.corrupt-`));
    expect(moved).toHaveLength(1);
    expect(logger.errors[0]?.movedTo).toBe(join(path, moved[0]!));
    await record(persistence, 0, 2);
    persistence.close();
    expect(restored(path).stats().samples).toBe(6);
  });

  it('moves aside a SQLite file that is not a yardstick store', () => {
    const path = tempStorePath();
    StorePersistence.open({ path, ...noLimits, logger: silentLogger }).close();
    const file = join(path, STORE_DATABASE_FILE);
    rmSync(file);
    const foreign = new DatabaseSync(file);
    foreign.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY)');
    foreign.close();
    const logger = recordingLogger();
    StorePersistence.open({ path, ...noLimits, logger }).close();
    expect(logger.errors).toHaveLength(1);
    expect(String(logger.errors[0]?.err)).toContain('not a yardstick store');
  });

  it('applies time retention on disk: a restart long after forgets what aged out', async () => {
    const path = tempStorePath();
    const persistence = StorePersistence.open({ path, ...noLimits, logger: silentLogger });
    await record(persistence, 0, SEAL_EVERY + 10);
    persistence.close();
    const store = new SampleStore();
    // Ten collections' worth of retention, measured from just after the last one.
    const later = StorePersistence.open({
      path,
      retentionMs: 10 * step,
      maxBytes: Number.POSITIVE_INFINITY,
      logger: silentLogger,
      now: () => start + (SEAL_EVERY + 10) * step,
    });
    later.restoreInto(store);
    const db = later.database.db;
    expect(db.prepare('SELECT count(*) AS n FROM chunks').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM series').get()).toEqual({ n: 2 });
    later.close();
    expect(store.stats().samples).toBe(2 * 10);
  });

  it('seals native histograms into chunks of about a byte per bucket per sample', async () => {
    const path = tempStorePath();
    const persistence = StorePersistence.open({ path, ...noLimits, logger: silentLogger });
    let buckets = new Array(40).fill(1_000_000) as number[];
    for (let i = 0; i < SEAL_EVERY; i++) {
      // Every bucket grows by 0-5 per collection: a slowly changing latency histogram.
      buckets = buckets.map((b, k) => b + ((i * 7 + k * 13) % 6));
      const count = buckets.reduce((a, b) => a + b, 0);
      persistence.addHistogram(
        { __name__: 'latency_seconds' },
        new FloatHistogram({
          schema: 3,
          count,
          sum: count * 0.05,
          positiveSpans: [{ offset: 2, length: 40 }],
          positiveBuckets: buckets,
        }),
      );
      persistence.add({ __name__: 'up' }, 1);
      await persistence.collected(start + i * step, collection, new LoopSlice(5));
    }
    const db = persistence.database.db;
    const { bytes } = db.prepare('SELECT sum(length(data)) AS bytes FROM histogram_chunks').get() as {
      bytes: number;
    };
    expect(bytes / SEAL_EVERY / 40).toBeLessThan(1.5);
    persistence.close();
  });

  it('applies time retention to native histogram rows too', async () => {
    const path = tempStorePath();
    const persistence = StorePersistence.open({ path, ...noLimits, logger: silentLogger });
    await recordHistograms(persistence, new SampleStore(), 0, SEAL_EVERY + 30);
    persistence.close();
    const later = StorePersistence.open({
      path,
      retentionMs: 10 * step,
      maxBytes: Number.POSITIVE_INFINITY,
      logger: silentLogger,
      now: () => start + (SEAL_EVERY + 30) * step,
    });
    const store = new SampleStore();
    later.restoreInto(store);
    const db = later.database.db;
    expect(db.prepare('SELECT count(*) AS n FROM histogram_chunks').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM histograms').get()).toEqual({ n: 10 });
    later.close();
    const [latency] = [...store.select(everything, 0, start * 2)];
    expect(latency?.timestamps[0]).toBe(start + (SEAL_EVERY + 20) * step);
  });

  it('applies the byte budget on disk by deleting the oldest chunks', async () => {
    const path = tempStorePath();
    const maxBytes = 256 * 1024;
    const persistence = StorePersistence.open({
      path,
      retentionMs: Number.POSITIVE_INFINITY,
      maxBytes,
      logger: silentLogger,
    });
    for (let round = 0; round < 4; round++) {
      for (let i = round * SEAL_EVERY; i < (round + 1) * SEAL_EVERY; i++) {
        // Random values: about 8 bytes a sample, so four seals of 500 series exceed the budget.
        for (let s = 0; s < 500; s++) persistence.add({ __name__: 'noise', s: String(s) }, Math.random());
        await persistence.collected(start + i * step, collection, new LoopSlice(5));
      }
    }
    const db = persistence.database.db;
    const pages = db.prepare('PRAGMA page_count').get() as { page_count: number };
    const size = db.prepare('PRAGMA page_size').get() as { page_size: number };
    expect(pages.page_count * size.page_size).toBeLessThanOrEqual(maxBytes);
    const oldest = db.prepare('SELECT min(min_t) AS t FROM chunks').get() as { t: number };
    expect(oldest.t).toBeGreaterThan(start);
    persistence.close();
  });

  it('applies the byte budget to native histogram rows too', async () => {
    const path = tempStorePath();
    const maxBytes = 256 * 1024;
    const persistence = StorePersistence.open({
      path,
      retentionMs: Number.POSITIVE_INFINITY,
      maxBytes,
      logger: silentLogger,
    });
    for (let i = 0; i < 2 * SEAL_EVERY; i++) {
      for (let s = 0; s < 50; s++) {
        const positiveBuckets = Array.from({ length: 20 }, () => Math.floor(Math.random() * 1e6));
        persistence.addHistogram(
          { __name__: 'latency_seconds', s: String(s) },
          new FloatHistogram({ count: 1, positiveSpans: [{ offset: 0, length: 20 }], positiveBuckets }),
        );
      }
      persistence.add({ __name__: 'up' }, 1);
      await persistence.collected(start + i * step, collection, new LoopSlice(5));
    }
    const db = persistence.database.db;
    const pages = db.prepare('PRAGMA page_count').get() as { page_count: number };
    const size = db.prepare('PRAGMA page_size').get() as { page_size: number };
    expect(pages.page_count * size.page_size).toBeLessThanOrEqual(maxBytes);
    // Sealed into chunks by now; the oldest ones went.
    const oldest = db.prepare('SELECT min(min_t) AS t, count(*) AS n FROM histogram_chunks').get() as {
      t: number;
      n: number;
    };
    expect(oldest.t).toBeGreaterThan(start);
    expect(oldest.n).toBeGreaterThan(0);
    persistence.close();
  });
});
