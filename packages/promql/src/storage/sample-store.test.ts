import { describe, expect, it } from 'vitest';
import { isStaleNaN } from './queryable.ts';
import { SampleStore } from './sample-store.ts';

describe('SampleStore', () => {
  it('returns appended samples of matching series within the window', () => {
    const store = new SampleStore();
    store.append({ __name__: 'up', job: 'api' }, 1000, 1);
    store.append({ __name__: 'up', job: 'api' }, 2000, 0);
    store.append({ __name__: 'up', job: 'web' }, 1000, 1);
    const result = [...store.select([{ type: '=', name: 'job', value: 'api' }], 1500, 3000)];
    expect(result).toHaveLength(1);
    expect(result[0]!.labels).toEqual({ __name__: 'up', job: 'api' });
    expect([...result[0]!.timestamps]).toEqual([2000]);
    expect([...result[0]!.values]).toEqual([0]);
  });

  it('refuses out-of-order and duplicate timestamps without throwing', () => {
    const store = new SampleStore();
    expect(store.append({ __name__: 'x' }, 2000, 1)).toBe(true);
    expect(store.append({ __name__: 'x' }, 2000, 2)).toBe(false);
    expect(store.append({ __name__: 'x' }, 1000, 3)).toBe(false);
    expect(store.stats().rejectedSamples).toBe(2);
    expect(store.stats().samples).toBe(1);
  });

  it('keeps the staleness marker bit-exact', () => {
    const store = new SampleStore();
    store.append({ __name__: 'x' }, 1000, Number.NaN);
    store.appendStaleMarker({ __name__: 'x' }, 2000);
    const [series] = [...store.select([{ type: '=', name: '__name__', value: 'x' }], 0, 3000)];
    expect(isStaleNaN(series!.values[0]!)).toBe(false);
    expect(isStaleNaN(series!.values[1]!)).toBe(true);
  });

  it('lists label names and values of matching series', () => {
    const store = new SampleStore();
    store.append({ __name__: 'a', job: 'api', env: 'prod' }, 1000, 1);
    store.append({ __name__: 'b', job: 'web' }, 1000, 1);
    expect(store.labelNames()).toEqual(['__name__', 'env', 'job']);
    expect(store.labelValues('job')).toEqual(['api', 'web']);
    expect(store.labelValues('job', [{ type: '=', name: '__name__', value: 'b' }])).toEqual(['web']);
  });

  it('drops data older than the retention when asked to', () => {
    let now = 10_000;
    const store = new SampleStore({ retentionMs: 5000, now: () => now });
    store.append({ __name__: 'x' }, 1000, 1);
    store.append({ __name__: 'y' }, 9000, 1);
    now = 12_000;
    store.enforceRetention();
    expect(store.series([], 0, 20_000)).toEqual([{ __name__: 'y' }]);
  });
});
