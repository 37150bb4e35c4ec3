import { SampleStore } from '@yardstick/promql';
import { describe, expect, it } from 'vitest';
import { createEmbeddedDatasource } from './embedded-datasource.ts';

describe('createEmbeddedDatasource', () => {
  const store = new SampleStore();
  for (let t = 0; t <= 120_000; t += 15_000) {
    store.append({ __name__: 'queue_depth', pool: 'a', region: 'eu' }, t, 5 + t / 15_000);
    store.append({ __name__: 'queue_depth', pool: 'b', region: 'us' }, t, 1);
  }
  const ds = createEmbeddedDatasource(store);

  it('evaluates vector expressions against the store at the given time', async () => {
    const v = await ds.query('queue_depth > 3', 60_000);
    expect(v).toEqual({
      type: 'vector',
      samples: [{ labels: { __name__: 'queue_depth', pool: 'a', region: 'eu' }, value: 9 }],
    });
  });

  it('returns scalars, and rejects range vectors as Prometheus rules do', async () => {
    expect(await ds.query('scalar(sum(queue_depth))', 120_000)).toEqual({ type: 'scalar', value: 14 });
    await expect(ds.query('queue_depth[1m]', 60_000)).rejects.toThrow(
      'rule result is not a vector or scalar',
    );
  });

  it('rejects expressions that do not parse', async () => {
    await expect(ds.query('sum(', 0)).rejects.toThrow();
  });
});
