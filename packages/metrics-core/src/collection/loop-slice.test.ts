import { describe, expect, it } from 'vitest';
import { CoreMeterProvider } from '../provider/core-meter-provider.ts';

describe('collection in slices', () => {
  it('gives the event loop turns while collecting many series, and still collects every one', async () => {
    const core = new CoreMeterProvider({ cardinalityLimit: 50_000, warn: () => undefined });
    const reader = core.addReader();
    const histogram = core.getMeter('big').createHistogram('latency', {
      advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] },
    });
    for (let i = 0; i < 40_000; i++) histogram.record(i % 7, { id: String(i) });
    let turns = 0;
    let collecting = true;
    const tick = () => {
      if (!collecting) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    const { scopeMetrics } = await reader.collect();
    collecting = false;
    expect(scopeMetrics[0]?.metrics[0]?.dataPoints).toHaveLength(40_000);
    // 40k histogram series take far longer than one 8 ms slice on any machine: the loop must have run between.
    expect(turns).toBeGreaterThan(1);
  });
});
