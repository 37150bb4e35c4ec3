import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUtf8, firstInvalidOffset } from './decode-utf8.ts';

const strict = new TextDecoder('utf-8', { fatal: true });

function decodes(bytes: Uint8Array): boolean {
  try {
    strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Valid UTF-8 with stray bytes spliced in, so failures happen after multi-byte characters too. */
const mixedBytes = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 8 }).map((text) => Buffer.from(text)),
      fc.uint8Array({ maxLength: 3 }),
    ),
  )
  .map((parts) => new Uint8Array(Buffer.concat(parts)));

describe('decodeUtf8', () => {
  it('returns the text of valid UTF-8, without a byte-order mark', () => {
    expect(decodeUtf8(Buffer.from('\uFEFFserviceName: café ✓\n'))).toEqual({
      ok: true,
      text: 'serviceName: café ✓\n',
    });
  });

  it('locates the first invalid byte by line and character column', () => {
    const bytes = Buffer.concat([
      Buffer.from('a: 1\nname: "é'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"\n'),
    ]);
    expect(decodeUtf8(bytes)).toEqual({
      ok: false,
      line: 2,
      column: 9,
      message: 'invalid UTF-8 (byte 0xc3)',
    });
  });

  it('refuses overlong forms, surrogates and code points above U+10FFFF', () => {
    for (const bad of [
      [0xc0, 0xaf],
      [0xe0, 0x80, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xff],
    ]) {
      expect(decodeUtf8(Uint8Array.from(bad)), bad.join(',')).toMatchObject({
        ok: false,
        line: 1,
        column: 1,
      });
    }
  });

  it('finds the first invalid sequence exactly where the strict decoder starts failing (property)', () => {
    fc.assert(
      fc.property(mixedBytes, (bytes) => {
        const offset = firstInvalidOffset(bytes);
        expect(offset === bytes.length).toBe(decodes(bytes));
        expect(decodes(bytes.subarray(0, offset))).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('accepts every string encoded as UTF-8 (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const decoded = decodeUtf8(Buffer.from(text));
        expect(decoded.ok).toBe(true);
      }),
    );
  });
});
