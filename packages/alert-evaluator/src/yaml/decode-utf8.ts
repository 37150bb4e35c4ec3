/**
 * Strict UTF-8 decoding of a file's bytes. `readFile(path, 'utf8')` replaces invalid bytes with U+FFFD without
 * a word, so a config value silently changes; this refuses them and says where the first one is.
 */

/** The decoded text, or where the first invalid byte sequence starts (line and column 1-based). */
export type Utf8Decoding =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly line: number; readonly column: number; readonly message: string };

const strictDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes `bytes` as UTF-8 (a leading byte-order mark is dropped). On invalid input the result locates the first
 * bad sequence; the column counts characters, as editors do.
 *
 * @example
 * ```ts
 * decodeUtf8(Buffer.from([0x61, 0x0a, 0xff])); // { ok: false, line: 2, column: 1, message: 'invalid UTF-8 (byte 0xff)' }
 * ```
 */
export function decodeUtf8(bytes: Uint8Array): Utf8Decoding {
  try {
    // The native decoder does the common case; the byte scan below runs only to locate a failure.
    return { ok: true, text: strictDecoder.decode(bytes) };
  } catch {
    const offset = firstInvalidOffset(bytes);
    let line = 1;
    let column = 1;
    for (let i = 0; i < offset; i++) {
      const byte = bytes[i]!;
      if (byte === 0x0a) {
        line += 1;
        column = 1;
      } else if ((byte & 0xc0) !== 0x80) {
        // a continuation byte belongs to the character before it
        column += 1;
      }
    }
    const byte = bytes[offset] ?? 0;
    return {
      ok: false,
      line,
      column,
      message: `invalid UTF-8 (byte 0x${byte.toString(16).padStart(2, '0')})`,
    };
  }
}

/**
 * Offset of the first byte that does not start a well-formed UTF-8 sequence (Unicode table 3-7: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or `bytes.length` when there is none.
 */
export function firstInvalidOffset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i += 1;
      continue;
    }
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead === 0xe0) low = 0xa0;
      if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead === 0xf0) low = 0x90;
      if (lead === 0xf4) high = 0x8f;
    } else return i;
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k];
      if (next === undefined || next < (k === 1 ? low : 0x80) || next > (k === 1 ? high : 0xbf)) return i;
    }
    i += length;
  }
  return bytes.length;
}
