import { describe, expect, it } from 'vitest';
import { FloatHistogram } from '../histogram/float-histogram.ts';
import { isStaleNaN } from './queryable.ts';
import { SampleStore } from './sample-store.ts';

const up = { __name__: 'latency', job: 'api' };
const byJob = [{ type: '=', name: 'job', value: 'api' }] as const;

function histogram(count: number): FloatHistogram {
  return new FloatHistogram({
    schema: 0,
    count,
    sum: count * 2,
    positiveSpans: [{ offset: 0, length: 2 }],
    positiveBuckets: [count - 1, 1],
  });
}

function readAll(store: SampleStore, minT = 0, maxT = Number.POSITIVE_INFINITY) {
  return [...store.select(byJob, minT, maxT)];
}

describe('SampleStore with native histograms', () => {
  it('returns histogram samples beside float samples of the same series, in time order', () => {
    const store = new SampleStore();
    const h = histogram(3);
    store.append(up, 0, 1);
    expect(store.appendHistogram(up, 1000, h)).toBe(true);
    store.append(up, 2000, 2);
    const [series] = readAll(store);
    expect(Array.from(series!.timestamps)).toEqual([0, 1000, 2000]);
    expect(series!.histograms).toEqual([undefined, h, undefined]);
    // Stored compressed: what reads back is an equal histogram, not the appended object.
    expect(series!.histograms![1]).not.toBe(h);
    expect([series!.values[0], series!.values[2]]).toEqual([1, 2]);
  });

  it('leaves histograms out of windows and series that hold only floats', () => {
    const store = new SampleStore();
    store.append(up, 0, 1);
    store.appendHistogram(up, 1000, histogram(2));
    store.append({ job: 'api', __name__: 'floats' }, 0, 5);
    const [mixed, floats] = readAll(store, 0, 500);
    expect(mixed!.histograms).toBeUndefined();
    expect(floats!.histograms).toBeUndefined();
  });

  it('refuses an invalid histogram and an out-of-order one, and counts both', () => {
    const store = new SampleStore();
    const broken = new FloatHistogram({
      count: 1,
      positiveSpans: [{ offset: 0, length: 2 }],
      positiveBuckets: [1],
    });
    const negative = new FloatHistogram({
      count: 1,
      positiveSpans: [{ offset: 0, length: 1 }],
      positiveBuckets: [-1],
    });
    expect(store.appendHistogram(up, 0, broken)).toBe(false);
    expect(store.appendHistogram(up, 0, negative)).toBe(false);
    expect(store.appendHistogram(up, 1000, histogram(1))).toBe(true);
    expect(store.appendHistogram(up, 1000, histogram(2))).toBe(false);
    expect(store.append(up, 500, 1)).toBe(false);
    expect(store.stats().rejectedSamples).toBe(4);
    expect(store.stats().samples).toBe(1);
  });

  it('ends a histogram series with a staleness marker', () => {
    const store = new SampleStore();
    store.appendHistogram(up, 0, histogram(1));
    store.appendStaleMarker(up, 1000);
    const [series] = readAll(store);
    expect(series!.histograms![0]).toBeDefined();
    expect(series!.histograms![1]).toBeUndefined();
    expect(isStaleNaN(series!.values[1]!)).toBe(true);
  });

  it('drops histogram samples with their chunks under retention and counts their bytes', () => {
    let now = 0;
    const store = new SampleStore({ retentionMs: 60 * 60_000, now: () => now });
    const floatsOnly = new SampleStore();
    for (let i = 0; i < 360; i++) {
      store.appendHistogram(up, i * 15_000, histogram(i + 1));
      floatsOnly.append(up, i * 15_000, i);
    }
    // Compressed: the histograms add bytes, but far fewer than an object per sample (~200 bytes) would.
    expect(store.stats().bytes).toBeGreaterThan(floatsOnly.stats().bytes);
    expect(store.stats().bytes).toBeLessThan(floatsOnly.stats().bytes + 360 * 20);
    now = 360 * 15_000;
    const dropped = store.enforceRetention();
    expect(dropped.droppedSamples).toBe(120);
    const [series] = readAll(store);
    expect(series!.timestamps[0]).toBe(120 * 15_000);
    expect(series!.histograms![0]!.count).toBe(121);
    expect(series!.histograms!.every((h) => h !== undefined)).toBe(true);
  });
});
