/**
 * Prometheus's `labels.Hash()` (default `stringlabels` build): XXH64 with seed 0 over the label set
 * encoded as sorted name/value pairs, each string prefixed by its length (one byte below 255, else
 * 0xFF and three little-endian bytes). `limit_ratio` samples series by this hash, so it must match.
 */
import type { Labels } from '../storage/queryable.ts';

const mask = (1n << 64n) - 1n;
const p1 = 0x9e3779b185ebca87n;
const p2 = 0xc2b2ae3d27d4eb4fn;
const p3 = 0x165667b19e3779f9n;
const p4 = 0x85ebca77c2b2ae63n;
const p5 = 0x27d4eb2f165667c5n;

function rotl(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & mask;
}

function round(acc: bigint, input: bigint): bigint {
  return (rotl((acc + input * p2) & mask, 31n) * p1) & mask;
}

function mergeRound(acc: bigint, value: bigint): bigint {
  return ((((acc ^ round(0n, value)) * p1) & mask) + p4) & mask;
}

function read64(b: Uint8Array, i: number): bigint {
  let v = 0n;
  for (let k = 7; k >= 0; k--) v = (v << 8n) | BigInt(b[i + k]!);
  return v;
}

function read32(b: Uint8Array, i: number): bigint {
  return BigInt((b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0);
}

/** XXH64 of `bytes` with seed 0, as `github.com/cespare/xxhash/v2.Sum64`. */
export function xxhash64(bytes: Uint8Array): bigint {
  const n = bytes.length;
  let i = 0;
  let h: bigint;
  if (n >= 32) {
    let v1 = (p1 + p2) & mask;
    let v2 = p2;
    let v3 = 0n;
    let v4 = -p1 & mask;
    for (; i + 32 <= n; i += 32) {
      v1 = round(v1, read64(bytes, i));
      v2 = round(v2, read64(bytes, i + 8));
      v3 = round(v3, read64(bytes, i + 16));
      v4 = round(v4, read64(bytes, i + 24));
    }
    h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & mask;
    h = mergeRound(h, v1);
    h = mergeRound(h, v2);
    h = mergeRound(h, v3);
    h = mergeRound(h, v4);
  } else {
    h = p5;
  }
  h = (h + BigInt(n)) & mask;
  for (; i + 8 <= n; i += 8) {
    h ^= round(0n, read64(bytes, i));
    h = (rotl(h, 27n) * p1 + p4) & mask;
  }
  if (i + 4 <= n) {
    h ^= (read32(bytes, i) * p1) & mask;
    h = (rotl(h, 23n) * p2 + p3) & mask;
    i += 4;
  }
  for (; i < n; i++) {
    h ^= (BigInt(bytes[i]!) * p5) & mask;
    h = (rotl(h, 11n) * p1) & mask;
  }
  h ^= h >> 33n;
  h = (h * p2) & mask;
  h ^= h >> 29n;
  h = (h * p3) & mask;
  h ^= h >> 32n;
  return h;
}

const encoder = new TextEncoder();

/** The UTF-8 bytes Prometheus holds for a string; lone surrogates U+DC80..U+DCFF are raw bytes. */
function goBytes(text: string): Uint8Array {
  if (!/[\udc80-\udcff]/.test(text)) return encoder.encode(text);
  const out: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xdc80 && code <= 0xdcff) out.push(code - 0xdc00);
    else out.push(...encoder.encode(ch));
  }
  return Uint8Array.from(out);
}

/** Prometheus's `labels.Hash()` of a label set. */
export function labelsHash(labels: Labels): bigint {
  const parts: number[] = [];
  const push = (text: string) => {
    const bytes = goBytes(text);
    const size = bytes.length;
    if (size < 255) parts.push(size);
    else parts.push(255, size & 0xff, (size >> 8) & 0xff, (size >> 16) & 0xff);
    for (const b of bytes) parts.push(b);
  };
  for (const name of Object.keys(labels).sort()) {
    push(name);
    push(labels[name]!);
  }
  return xxhash64(Uint8Array.from(parts));
}
