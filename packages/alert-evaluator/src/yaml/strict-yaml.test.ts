import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_ALIASES, parseStrictYaml } from './strict-yaml.ts';

/** A "billion laughs" document: each level lists the previous one nine times. */
function aliasBomb(levels: number): string {
  const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i <= levels; i++) {
    lines.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(', ')}]`);
  }
  return `${lines.join('\n')}\n`;
}

/** Milliseconds `run` takes, the best of three (the least disturbed by GC and JIT). */
function bestTime(run: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

describe('parseStrictYaml', () => {
  it('returns the data of a valid document, aliases resolved', () => {
    const parsed = parseStrictYaml('defaults: &d { retries: 3 }\nprimary: *d\nport: 9464\n');
    expect(parsed.problems).toEqual([]);
    expect(parsed.data).toEqual({ defaults: { retries: 3 }, primary: { retries: 3 }, port: 9464 });
  });

  it('reports a duplicate key at its line, with the line of the first', () => {
    const parsed = parseStrictYaml('server:\n  port: 1\n  host: a\n  port: 2\n');
    expect(parsed.data).toBeUndefined();
    expect(parsed.problems).toEqual([
      {
        kind: 'duplicate-key',
        offset: 30,
        line: 4,
        column: 3,
        message: 'duplicate key "port" (first at line 2)',
      },
    ]);
  });

  it('tells the key 1 from the key "1", as YAML does', () => {
    expect(parseStrictYaml('1: a\n"1": b\n').problems).toEqual([]);
  });

  it('reports syntax errors by line without quoting the source', () => {
    const parsed = parseStrictYaml('password: hunter2-secret\nhost: [unclosed\n');
    expect(parsed.problems.length).toBeGreaterThan(0);
    expect(parsed.problems[0]).toMatchObject({ line: expect.any(Number) });
    expect(parsed.problems.map((p) => p.message).join('\n')).not.toContain('hunter2');
  });

  it('refuses an alias bomb at the alias where it blows up, quickly', () => {
    const start = performance.now();
    const parsed = parseStrictYaml(aliasBomb(9));
    expect(performance.now() - start).toBeLessThan(2_000);
    expect(parsed.data).toBeUndefined();
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]).toMatchObject({
      line: 4,
      message: expect.stringMatching(/^alias \*a2 expands too much .* YAML alias bombs are refused$/),
    });
  });

  it('refuses more aliases than the cap, which bounds the time yaml spends resolving them', () => {
    // yaml's toJS spends aliases x anchor size here: 20,000 of each took 21 s before the cap.
    const empties = Array.from({ length: 5_000 }, () => '[]').join(',');
    const aliases = Array.from({ length: 5_000 }, () => '*a').join(',');
    const start = performance.now();
    const parsed = parseStrictYaml(`a: &a [${empties}]\nb: [${aliases}]\n`);
    expect(performance.now() - start).toBeLessThan(2_000);
    expect(parsed.problems).toEqual([
      expect.objectContaining({ line: 2, message: `more than ${MAX_ALIASES} aliases in one file` }),
    ]);
  });

  it('finds duplicate keys in time linear in the number of keys', () => {
    const mapping = (keys: number) =>
      Array.from({ length: keys }, (_, i) => `key${i}: value${i}`)
        .join('\n')
        .concat('\n');
    const small = mapping(2_500);
    const large = mapping(20_000);
    parseStrictYaml(small);
    const ratio = bestTime(() => parseStrictYaml(large)) / bestTime(() => parseStrictYaml(small));
    // 8x the keys: about 8x the time when linear; comparing each key with every earlier one measured 35x to 70x.
    expect(ratio).toBeLessThan(20);
  });

  it('reports exactly the repeated key of any mapping with one key repeated (property)', () => {
    const keys = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(keys, fc.nat(), (names, pick) => {
        const repeated = names[pick % names.length]!;
        const lines = [...names, repeated].map((name, i) => `${name}: ${i}`);
        const parsed = parseStrictYaml(`${lines.join('\n')}\n`);
        expect(parsed.problems).toEqual([
          expect.objectContaining({
            line: lines.length,
            message: `duplicate key "${repeated}" (first at line ${names.indexOf(repeated) + 1})`,
          }),
        ]);
      }),
    );
  });
});
