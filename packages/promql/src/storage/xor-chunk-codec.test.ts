import { describe, expect, it } from 'vitest';
import { STALE_NAN } from './queryable.ts';
import { decodeXorChunkBytes, encodeXorChunkBytes } from './xor-chunk-codec.ts';

function bits(value: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  return view.getBigUint64(0).toString(16);
}

describe('standalone XOR chunk bytes', () => {
  it('give back every timestamp and value, irregular steps and the staleness marker included', () => {
    const timestamps = Float64Array.from([
      1_700_000_000_000, 1_700_000_015_000, 1_700_000_030_007, 1_700_000_100_000, 1_800_000_000_000,
    ]);
    const values = Float64Array.from([1, 1, 2.5, -1e300, STALE_NAN]);
    const bytes = encodeXorChunkBytes(timestamps, values, timestamps.length);
    const decoded = decodeXorChunkBytes(bytes, timestamps[0]!, timestamps.length);
    expect([...decoded.timestamps]).toEqual([...timestamps]);
    expect([...decoded.values].map(bits)).toEqual([...values].map(bits));
  });

  it('compress regular scrapes of a slowly growing counter to under 2 bytes per sample', () => {
    const count = 120;
    const timestamps = Float64Array.from({ length: count }, (_, i) => 1_700_000_000_000 + i * 15_000);
    const values = Float64Array.from({ length: count }, (_, i) => 1000 + i * 3);
    const bytes = encodeXorChunkBytes(timestamps, values, count);
    expect(bytes.byteLength / count).toBeLessThan(2);
    expect([...decodeXorChunkBytes(bytes, timestamps[0]!, count).values]).toEqual([...values]);
  });
});
