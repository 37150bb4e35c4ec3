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

/** Creates the CSV {@link FormatWriter}; `labelNames` is the union of label names over all exported series. */
export function createCsvWriter(file: AtomicFile, labelNames: Iterable<string>): FormatWriter {
  const columns = csvLabelColumns(labelNames);
  file.writeText(
    ['timestamp', 'metric', ...columns.map((c) => c.column), 'value'].map(csvField).join(',') + '\n',
  );
  return {
    writeChunk(data: ChunkData): number {
      // Speed: each series' middle part (`,metric,labels...,`) and each step's timestamp text are built once
      // per chunk, so a row costs three string concatenations.
      const middles = data.series.map((series) => {
        let middle = ',' + csvField(series.metric);
        for (const { label } of columns) middle += ',' + csvField(series.labels[label] ?? '');
        return middle + ',';
      });
      let lastTime = Number.NaN;
      let lastTimeText = '';
      let rows = '';
      let count = 0;
      forEachPointInTimeOrder(data, (t, s, value) => {
        if (t !== lastTime) {
          lastTime = t;
          lastTimeText = formatTime(t);
        }
        rows += lastTimeText + middles[s]! + value + '\n';
        count++;
        if (rows.length >= 1 << 16) {
          file.writeText(rows);
          rows = '';
        }
      });
      file.writeText(rows);
      return count;
    },
    finish(): void {
      file.flush();
    },
  };
}
