import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { AtomicFile } from './atomic-file.ts';
import { createCsvWriter, csvField, csvLabelColumns } from './csv-writer.ts';
import { formatTime } from './time.ts';

/** Reads RFC 4180 fields back, the way spreadsheet tools do. */
function parseCsvLine(text: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

const dir = mkdtempSync(join(tmpdir(), 'yardstick-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('csvField', () => {
  it('leaves plain text alone and quotes commas, quotes and line breaks', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  it('round-trips any row of any strings through an RFC 4180 reader', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 6 }), (fields) => {
        expect(parseCsvLine(fields.map(csvField).join(','))).toEqual(fields);
      }),
    );
  });
});

describe('csvLabelColumns', () => {
  it('sorts labels, drops __name__ and renames labels that collide with fixed columns', () => {
    expect(csvLabelColumns(['zone', '__name__', 'value', 'app']).map((c) => c.column)).toEqual([
      'app',
      'label_value',
      'zone',
    ]);
  });
});

describe('createCsvWriter', () => {
  it('writes rows in time order with empty cells for labels a series lacks', () => {
    const out = join(dir, 'rows.csv');
    const file = new AtomicFile(out);
    const writer = createCsvWriter(file, ['job', 'route', '__name__']);
    const written = writer.writeChunk({
      chunk: { index: 0, start: 0, end: 60_000, points: 2 },
      step: 60_000,
      series: [
        {
          metric: 'up',
          labels: { job: 'a' },
          timestampsMs: [0, 60_000],
          values: ['1', 'NaN'],
        },
        { metric: 'up', labels: { job: 'b', route: '/x,y' }, timestampsMs: [60_000], values: ['+Inf'] },
      ],
    });
    writer.finish();
    file.commit();
    expect(written).toBe(3);
    expect(readFileSync(out, 'utf8')).toBe(
      'timestamp,metric,job,route,value\n' +
        '1970-01-01T00:00:00.000Z,up,a,,1\n' +
        '1970-01-01T00:01:00.000Z,up,a,,NaN\n' +
        '1970-01-01T00:01:00.000Z,up,b,"/x,y",+Inf\n',
    );
  });

  it('writes the same bytes as the plain string formula for any labels and values, across buffer refills', () => {
    const series = fc.record({
      metric: fc.string({ unit: 'grapheme', maxLength: 8 }),
      labels: fc.dictionary(
        fc.constantFrom('job', 'route', 'value', 'zone'),
        fc.string({ unit: 'grapheme' }),
      ),
      values: fc.array(fc.oneof(fc.double().map(String), fc.string({ unit: 'grapheme', maxLength: 6 })), {
        minLength: 4,
        maxLength: 4,
      }),
      present: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    });
    fc.assert(
      fc.property(fc.array(series, { maxLength: 5 }), fc.nat({ max: 2 }), (all, hugeAt) => {
        // One label over the 1 MiB buffer makes rows that cannot share it.
        if (all[hugeAt]) all[hugeAt].labels.zone = 'é'.repeat(600_000);
        const out = join(dir, 'property.csv');
        const file = new AtomicFile(out);
        const names = all.flatMap((one) => Object.keys(one.labels));
        const writer = createCsvWriter(file, names);
        const chunk = { index: 0, start: 0, end: 180_000, points: 4 };
        const chunkSeries = all.map((one) => {
          const kept = [0, 1, 2, 3].filter((i) => one.present[i]);
          return {
            metric: one.metric,
            labels: one.labels,
            timestampsMs: kept.map((i) => i * 60_000),
            values: kept.map((i) => one.values[i]!),
          };
        });
        writer.writeChunk({ chunk, step: 60_000, series: chunkSeries });
        writer.finish();
        file.commit();
        const columns = csvLabelColumns(names);
        let expected = `${['timestamp', 'metric', ...columns.map((c) => c.column), 'value'].map(csvField).join(',')}\n`;
        for (let i = 0; i < 4; i++) {
          for (const one of all) {
            if (!one.present[i]) continue;
            const cells = columns.map(({ label }) => csvField(one.labels[label] ?? ''));
            expected +=
              [formatTime(i * 60_000), csvField(one.metric), ...cells, one.values[i]].join(',') + '\n';
          }
        }
        expect(readFileSync(out, 'utf8')).toBe(expected);
      }),
      { numRuns: 40 },
    );
  });
});
