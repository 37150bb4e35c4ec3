/**
 * Prometheus's per-group evaluation offset (`rules/group.go` `EvalTimestamp`): a group is evaluated at
 * multiples of its interval shifted by `hash(name, file) % interval`, so many groups with the same
 * interval do not all evaluate at the same instant, and a group keeps its slots across restarts.
 * The hash is Prometheus's `labels.Labels.Hash()` of `{file="…", name="…"}`: xxHash64 (seed 0) of
 * `file 0xff <file> 0xff name 0xff <name> 0xff`.
 */

const MASK = 0xffffffffffffffffn;
const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n;
const P5 = 0x27d4eb2f165667c5n;

function rotl(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & MASK;
}

function round(acc: bigint, lane: bigint): bigint {
  return (rotl((acc + lane * P2) & MASK, 31n) * P1) & MASK;
}

function mergeRound(acc: bigint, v: bigint): bigint {
  return (((acc ^ round(0n, v)) * P1) & MASK) + P4;
}

/**
 * xxHash64 with seed 0, as Go's `github.com/cespare/xxhash/v2` `Sum64`. BigInt arithmetic is slow, but
 * this runs once per group when rules are loaded, never per evaluation.
 */
export function xxhash64(bytes: Uint8Array): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length;
  let i = 0;
  let h: bigint;
  if (n >= 32) {
    let v1 = (P1 + P2) & MASK;
    let v2 = P2;
    let v3 = 0n;
    let v4 = (MASK + 1n - P1) & MASK;
    for (; i + 32 <= n; i += 32) {
      v1 = round(v1, view.getBigUint64(i, true));
      v2 = round(v2, view.getBigUint64(i + 8, true));
      v3 = round(v3, view.getBigUint64(i + 16, true));
      v4 = round(v4, view.getBigUint64(i + 24, true));
    }
    h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & MASK;
    h = mergeRound(h, v1) & MASK;
    h = mergeRound(h, v2) & MASK;
    h = mergeRound(h, v3) & MASK;
    h = mergeRound(h, v4) & MASK;
  } else {
    h = P5;
  }
  h = (h + BigInt(n)) & MASK;
  for (; i + 8 <= n; i += 8) {
    h ^= round(0n, view.getBigUint64(i, true));
    h = (rotl(h, 27n) * P1 + P4) & MASK;
  }
  if (i + 4 <= n) {
    h ^= (BigInt(view.getUint32(i, true)) * P1) & MASK;
    h = (rotl(h, 23n) * P2 + P3) & MASK;
    i += 4;
  }
  for (; i < n; i++) {
    h ^= (BigInt(bytes[i]!) * P5) & MASK;
    h = (rotl(h, 11n) * P1) & MASK;
  }
  h ^= h >> 33n;
  h = (h * P2) & MASK;
  h ^= h >> 29n;
  h = (h * P3) & MASK;
  h ^= h >> 32n;
  return h;
}

/**
 * The offset, in milliseconds within `intervalMs`, of the evaluation slots of the group `name` loaded
 * from `file`: Prometheus evaluates it at `k × interval + offset`. Prometheus computes the offset in
 * nanoseconds; sample timestamps are whole milliseconds, so the floor of it puts every sample at the
 * timestamp Prometheus writes for the same group (same name, same file path as Prometheus was given).
 */
export function groupEvaluationOffsetMs(name: string, file: string, intervalMs: number): number {
  if (intervalMs <= 0) return 0;
  const bytes = Buffer.concat([
    Buffer.from('file'),
    Buffer.from([0xff]),
    Buffer.from(file, 'utf8'),
    Buffer.from([0xff]),
    Buffer.from('name'),
    Buffer.from([0xff]),
    Buffer.from(name, 'utf8'),
    Buffer.from([0xff]),
  ]);
  const offsetNs = xxhash64(bytes) % (BigInt(intervalMs) * 1_000_000n);
  return Number(offsetNs / 1_000_000n);
}
