import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { AtomicFile } from './atomic-file.ts';
import { createCsvWriter, csvField, csvLabelColumns } from './csv-writer.ts';

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
});
