/** Decoding of the persisted rows (see store-persistence.ts for the layout). */
import { type ChunkSamples, decodeXorChunkBytes } from '@yardstick/promql';

/** A head row's samples as (series id, value) pairs; copied when SQLite's blob is not 8-byte aligned. */
export function readHeadRow(data: Uint8Array): Float64Array {
  const length = data.byteLength >>> 3;
  if (data.byteOffset % 8 === 0) return new Float64Array(data.buffer, data.byteOffset, length);
  return new Float64Array(data.slice(0, length * 8).buffer);
}

/** The samples of a `chunks` row. */
export function readChunkSamples(row: {
  readonly min_t: number;
  readonly count: number;
  readonly data: Uint8Array;
}): ChunkSamples {
  return decodeXorChunkBytes(row.data, Number(row.min_t), Number(row.count));
}
