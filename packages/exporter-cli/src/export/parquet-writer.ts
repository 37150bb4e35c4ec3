/**
 * Parquet output with typed columns: `timestamp` (INT64 TIMESTAMP_MILLIS, UTC), `metric` (UTF8), `labels`
 * (UTF8 holding the label set as JSON with sorted keys, so one schema fits any series) and `value` (DOUBLE,
 * NaN and ±Inf kept). Each chunk becomes its own row group(s), written as it arrives; the export record is
 * stored as key-value metadata `yardstick.export` in the footer.
 */
import { ByteWriter, ParquetWriter, type SchemaElement } from 'hyparquet-writer';
import { CliError } from '../errors.ts';
import type { AtomicFile } from './atomic-file.ts';
import { type ChunkData, forEachPointInTimeOrder } from './chunk-rows.ts';
import type { ExportRecord } from './export-record.ts';
import type { FormatWriter } from './format-writer.ts';

const SCHEMA: SchemaElement[] = [
  { name: 'root', num_children: 4 },
  { name: 'timestamp', type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', repetition_type: 'REQUIRED' },
  { name: 'metric', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'labels', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'value', type: 'DOUBLE', repetition_type: 'REQUIRED' },
];

/** The `labels` column text: JSON with sorted keys, so equal label sets compare equal as strings. */
export function labelsJson(labels: Readonly<Record<string, string>>): string {
  const sorted: Record<string, string> = {};
  for (const key of Object.keys(labels).sort()) sorted[key] = labels[key]!;
  return JSON.stringify(sorted);
}

/**
 * A Prometheus API value as a double. Go writes infinities as `+Inf`/`-Inf`, which `Number()` reads as NaN.
 */
export function prometheusFloat(value: string): number {
  if (value === '+Inf') return Number.POSITIVE_INFINITY;
  if (value === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(value);
}

/** A hyparquet `Writer` that hands its bytes to the atomic file after each row group instead of growing. */
class AtomicFileByteWriter extends ByteWriter {
  readonly #file: AtomicFile;

  constructor(file: AtomicFile) {
    super(1 << 20);
    this.#file = file;
  }

  flush(): void {
    // `index` is the fill level of the reusable buffer; `offset` (total bytes) keeps counting for the footer.
    this.#file.writeBytes(new Uint8Array(this.buffer, 0, this.index));
    this.index = 0;
  }

  override finish(): void {
    this.flush();
  }
}

/** Creates the Parquet {@link FormatWriter}; `record` is written into the footer at `finish`. */
export function createParquetWriter(file: AtomicFile, record: ExportRecord): FormatWriter {
  const writer = new ParquetWriter({
    writer: new AtomicFileByteWriter(file),
    schema: SCHEMA,
    createdBy: 'yardstick export',
  });
  return {
    writeChunk(data: ChunkData): number {
      const total = data.series.reduce((sum, s) => sum + s.values.length, 0);
      if (total === 0) return 0;
      // Unix ms as numbers: the writer converts TIMESTAMP_MILLIS values to INT64 itself.
      const timestamps = new Array<number>(total);
      const metrics = new Array<string>(total);
      const labels = new Array<string>(total);
      const values = new Float64Array(total);
      // Speed: the labels JSON is built once per series per chunk, not per row.
      const labelTexts = data.series.map((s) => labelsJson(s.labels));
      let row = 0;
      forEachPointInTimeOrder(data, (t, s, value) => {
        timestamps[row] = t;
        metrics[row] = data.series[s]!.metric;
        labels[row] = labelTexts[s]!;
        values[row] = prometheusFloat(value);
        row++;
      });
      // `row` is below `total` only when a source sent points off the step grid.
      const fit = <T extends { slice(start: number, end: number): T }>(column: T): T =>
        row === total ? column : column.slice(0, row);
      const result = writer.write({
        columnData: [
          { name: 'timestamp', data: fit(timestamps) },
          { name: 'metric', data: fit(metrics) },
          { name: 'labels', data: fit(labels) },
          { name: 'value', data: fit(values) },
        ],
        rowGroupSize: 100_000,
      });
      if (result instanceof Promise)
        throw new CliError('OUTPUT_WRITE', 'parquet writer unexpectedly went asynchronous');
      return row;
    },
    finish(): void {
      writer.kvMetadata = [{ key: 'yardstick.export', value: JSON.stringify(record) }];
      const result = writer.finish();
      if (result instanceof Promise)
        throw new CliError('OUTPUT_WRITE', 'parquet writer unexpectedly went asynchronous');
      file.flush();
    },
  };
}
