import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import { AtomicFile } from './atomic-file.ts';
import type { ExportRecord } from './export-record.ts';
import { createParquetWriter, labelsJson, prometheusFloat } from './parquet-writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'yardstick-parquet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('createParquetWriter', () => {
  it('writes typed columns over several chunks that hyparquet reads back, NaN and Inf included', async () => {
    const out = join(dir, 'out.parquet');
    const file = new AtomicFile(out);
    const record = { export_id: 'x', status: 'completed', format: 'parquet' } as unknown as ExportRecord;
    const writer = createParquetWriter(file, record);
    const step = 60_000;
    writer.writeChunk({
      chunk: { index: 0, start: 0, end: step, points: 2 },
      step,
      series: [
        {
          metric: 'up',
          labels: { zone: 'b', job: 'a' },
          timestampsMs: [0, 60_000],
          values: ['1', 'NaN'],
        },
      ],
    });
    writer.writeChunk({
      chunk: { index: 1, start: 2 * step, end: 2 * step, points: 1 },
      step,
      series: [{ metric: 'up', labels: { job: 'a', zone: 'b' }, timestampsMs: [120_000], values: ['+Inf'] }],
    });
    writer.finish();
    file.commit();
    const bytes = readFileSync(out);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const rows = await parquetReadObjects({ file: buffer });
    expect(rows.map((r) => [(r.timestamp as Date).toISOString(), r.metric, r.labels, r.value])).toEqual([
      ['1970-01-01T00:00:00.000Z', 'up', '{"job":"a","zone":"b"}', 1],
      ['1970-01-01T00:01:00.000Z', 'up', '{"job":"a","zone":"b"}', Number.NaN],
      ['1970-01-01T00:02:00.000Z', 'up', '{"job":"a","zone":"b"}', Number.POSITIVE_INFINITY],
    ]);
    const metadata = parquetMetadata(buffer);
    const columns = parquetSchema(metadata).children.map((c) => [c.element.name, c.element.type]);
    expect(columns).toEqual([
      ['timestamp', 'INT64'],
      ['metric', 'BYTE_ARRAY'],
      ['labels', 'BYTE_ARRAY'],
      ['value', 'DOUBLE'],
    ]);
    expect(metadata.key_value_metadata).toContainEqual({
      key: 'yardstick.export',
      value: JSON.stringify(record),
    });
  });

  it('reads Go float text, infinities included', () => {
    expect(['1.5', '-0', 'NaN', '+Inf', '-Inf', '1e+300'].map(prometheusFloat)).toEqual([
      1.5,
      -0,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      1e300,
    ]);
  });

  it('serializes equal label sets identically whatever their order', () => {
    expect(labelsJson({ b: '1', a: '2' })).toBe(labelsJson({ a: '2', b: '1' }));
  });
});
