import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AtomicFile } from './atomic-file.ts';
import type { ExportRecord } from './export-record.ts';
import { createJsonWriter, jsonValue } from './json-writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'yardstick-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const record = (out: string): ExportRecord => ({
  export_id: '00000000-0000-4000-8000-000000000000',
  requested_at: '2026-01-01T00:00:00.000Z',
  requested_by: 'tester',
  source: 'http://127.0.0.1:9090',
  queries: ['up'],
  filters: [],
  start: '1970-01-01T00:00:00.000Z',
  end: '1970-01-01T00:01:00.000Z',
  step: 60,
  format: 'json',
  out,
  status: 'in_progress',
});

describe('jsonValue', () => {
  it('keeps numbers as JSON numbers and non-finite values as strings', () => {
    expect(['1', '-2.5', '1e+06', 'NaN', '+Inf', '-Inf'].map(jsonValue)).toEqual([
      '1',
      '-2.5',
      '1e+06',
      '"NaN"',
      '"+Inf"',
      '"-Inf"',
    ]);
  });
});

describe('createJsonWriter', () => {
  it('writes valid JSON whose metadata states the completion time and the exact file size', () => {
    const out = join(dir, 'out.json');
    const file = new AtomicFile(out);
    const meta = record(out);
    const writer = createJsonWriter(file, meta);
    writer.writeChunk({
      chunk: { index: 0, start: 0, end: 60_000, points: 2 },
      step: 60_000,
      series: [
        {
          metric: 'up',
          labels: { job: 'ä"x' },
          timestampsMs: [0, 60_000],
          values: ['1', 'NaN'],
        },
      ],
    });
    meta.completed_at = '2026-01-01T00:00:05.000Z';
    writer.finish();
    file.commit();
    const parsed = JSON.parse(readFileSync(out, 'utf8'));
    expect(parsed.metadata).toMatchObject({
      status: 'completed',
      completed_at: '2026-01-01T00:00:05.000Z',
      file_size_bytes: statSync(out).size,
      requested_by: 'tester',
    });
    expect(parsed.series).toEqual([
      {
        metric: 'up',
        labels: { job: 'ä"x' },
        values: [
          ['1970-01-01T00:00:00.000Z', 1],
          ['1970-01-01T00:01:00.000Z', 'NaN'],
        ],
      },
    ]);
  });
});
