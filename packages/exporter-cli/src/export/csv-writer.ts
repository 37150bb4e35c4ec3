/**
 * CSV output: `timestamp,metric,<label columns sorted>,value`, one row per point in time order. Timestamps are
 * RFC 3339 UTC with milliseconds; values are the source's own text (`1.5`, `NaN`, `+Inf`), so nothing is lost
 * to float formatting. Fields are quoted per RFC 4180; lines end with LF.
 */
import type { AtomicFile } from './atomic-file.ts';
import { type ChunkData, forEachPointInTimeOrder } from './chunk-rows.ts';
import type { FormatWriter } from './format-writer.ts';
import { formatTime } from './time.ts';

const NEEDS_QUOTES = /[",\r\n]/;

/** Quotes a field per RFC 4180 when it holds a comma, quote, CR or LF; doubles embedded quotes. */
export function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const FIXED_COLUMNS = new Set(['timestamp', 'metric', 'value']);

/**
 * The header's label columns for a set of label names: sorted, without `__name__`, and prefixed with `label_`
 * where a label would collide with a fixed column (`timestamp`, `metric`, `value`).
 */
export function csvLabelColumns(labelNames: Iterable<string>): { label: string; column: string }[] {
  return [...new Set(labelNames)]
    .filter((name) => name !== '__name__')
    .sort()
    .map((label) => ({ label, column: FIXED_COLUMNS.has(label) ? `label_${label}` : label }));
}

// Speed: rows are encoded straight into one reused buffer and handed to the file as bytes; building them
// as strings cost more in flattening and UTF-8 encoding than in the concatenation itself (measured with
// bench/export.ts: the string path spent ~17% of a CSV export in AtomicFile.flush).
const BUFFER_BYTES = 1 << 20;
// Room a row may need beyond its timestamp, label part and value: the newline, with margin.
const ROW_SLACK = 32;

/** Creates the CSV {@link FormatWriter}; `labelNames` is the union of label names over all exported series. */
export function createCsvWriter(file: AtomicFile, labelNames: Iterable<string>): FormatWriter {
  const columns = csvLabelColumns(labelNames);
  file.writeText(
    ['timestamp', 'metric', ...columns.map((c) => c.column), 'value'].map(csvField).join(',') + '\n',
  );
  let out = Buffer.allocUnsafe(BUFFER_BYTES);
  let at = 0;
  const spill = (): void => {
    file.writeBytes(out.subarray(0, at));
    at = 0;
  };
  return {
    writeChunk(data: ChunkData): number {
      // Each series' middle part (`,metric,labels...,`) is encoded once per chunk, each step's timestamp
      // once per step, so a row is three copies and the value's few characters.
      const middles = data.series.map((series) => {
        let middle = ',' + csvField(series.metric);
        for (const { label } of columns) middle += ',' + csvField(series.labels[label] ?? '');
        return Buffer.from(middle + ',', 'utf8');
      });
      let lastTime = Number.NaN;
      // RFC 3339 with ms is 24 bytes; extended years (+010000-...) need a few more.
      const time = Buffer.allocUnsafe(32);
      let timeLength = 0;
      let count = 0;
      forEachPointInTimeOrder(data, (t, s, value) => {
        if (t !== lastTime) {
          lastTime = t;
          timeLength = time.write(formatTime(t), 0, 'latin1');
        }
        const middle = middles[s]!;
        const need = timeLength + middle.length + value.length * 3 + ROW_SLACK;
        if (at + need > out.length) {
          spill();
          // A row longer than the buffer (huge label values) gets a buffer of its own size.
          if (need > out.length) out = Buffer.allocUnsafe(need);
        }
        out.set(time.subarray(0, timeLength), at);
        at += timeLength;
        out.set(middle, at);
        at += middle.length;
        // Values are float text (ASCII) from every real source; anything else takes the UTF-8 path.
        let ascii = true;
        for (let i = 0; i < value.length; i++) {
          const c = value.charCodeAt(i);
          if (c > 0x7f) {
            ascii = false;
            break;
          }
          out[at + i] = c;
        }
        at += ascii ? value.length : out.write(value, at, 'utf8');
        out[at++] = 0x0a;
        count++;
      });
      return count;
    },
    finish(): void {
      spill();
      file.flush();
    },
  };
}
