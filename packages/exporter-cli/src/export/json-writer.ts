/**
 * JSON output: one object with `metadata` first and then `series`, streamed. Because the range is fetched in
 * chunks, `series` holds one entry per series per chunk, in time order: an analyst groups entries by `metric`
 * + `labels` to rebuild a whole series. Values are JSON numbers, except `"NaN"`, `"+Inf"` and `"-Inf"`, which
 * JSON cannot hold as numbers. `status`, `completed_at` and `file_size_bytes` are patched into the already
 * written metadata at the end (fixed-width slots, padding is JSON whitespace).
 */
import type { AtomicFile } from './atomic-file.ts';
import type { ChunkData } from './chunk-rows.ts';
import type { ExportRecord } from './export-record.ts';
import type { FormatWriter } from './format-writer.ts';
import { formatTime } from './time.ts';

const JSON_NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;
const TIME_SLOT = '"1970-01-01T00:00:00.000Z"';
const SIZE_WIDTH = 16;

/** A Prometheus value string as JSON: a number when JSON can hold it, else the string (`"NaN"`, `"+Inf"`). */
export function jsonValue(value: string): string {
  return JSON_NUMBER.test(value) ? value : JSON.stringify(value);
}

/**
 * Creates the JSON {@link FormatWriter}. `record` is read at creation (identity fields) and at `finish`
 * (`completed_at`, `file_size_bytes`), which the caller sets before calling `finish`.
 */
export function createJsonWriter(file: AtomicFile, record: ExportRecord): FormatWriter {
  const { status: _status, completed_at: _completed, file_size_bytes: _size, ...identity } = record;
  const head = JSON.stringify(identity);
  file.writeText('{"metadata":' + head.slice(0, -1) + ',"status":"completed","completed_at":');
  file.flush();
  const timeAt = file.size;
  file.writeText(TIME_SLOT + ',"file_size_bytes":');
  file.flush();
  const sizeAt = file.size;
  file.writeText(' '.repeat(SIZE_WIDTH) + '},\n"series":[');
  let first = true;
  return {
    writeChunk(data: ChunkData): number {
      let out = '';
      let count = 0;
      // Speed: all series share the chunk's step grid, so each step's RFC 3339 text is built once per chunk
      // (as a quoted JSON string) instead of once per point.
      const { chunk, step } = data;
      const times = new Array<string | undefined>(chunk.points);
      const timeText = (ms: number): string => {
        const index = Math.round((ms - chunk.start) / step);
        const cached = times[index];
        if (cached !== undefined) return cached;
        const text = '["' + formatTime(ms) + '",';
        if (index >= 0 && index < chunk.points) times[index] = text;
        return text;
      };
      for (const series of data.series) {
        if (series.values.length === 0) continue;
        out += (first ? '\n' : ',\n') + '{"metric":' + JSON.stringify(series.metric) + ',"labels":';
        out += JSON.stringify(series.labels) + ',"values":[';
        first = false;
        const { timestampsMs, values } = series;
        for (let i = 0; i < values.length; i++) {
          out += (i === 0 ? '' : ',') + timeText(timestampsMs[i]!) + jsonValue(values[i]!) + ']';
        }
        out += ']}';
        count += series.values.length;
        if (out.length >= 1 << 16) {
          file.writeText(out);
          out = '';
        }
      }
      file.writeText(out);
      return count;
    },
    finish(): void {
      file.writeText('\n]}\n');
      file.flush();
      file.patch(timeAt, JSON.stringify(record.completed_at ?? formatTime(Date.now())));
      file.patch(sizeAt, String(file.size).padStart(SIZE_WIDTH, ' '));
    },
  };
}
