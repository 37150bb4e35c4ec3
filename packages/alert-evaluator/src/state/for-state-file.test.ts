import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STALE_NAN } from '@yardstick/promql';
import { afterAll, describe, expect, it } from 'vitest';
import { ForStateFile } from './for-state-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'ae-for-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const a = { __name__: 'ALERTS_FOR_STATE', alertname: 'QueueHigh', pool: 'a' };
const b = { __name__: 'ALERTS_FOR_STATE', alertname: 'QueueHigh', pool: 'b' };

function samplesOf(store: Awaited<ReturnType<ForStateFile['load']>>) {
  const out: { labels: Record<string, string>; t: number; v: number }[] = [];
  for (const s of store.select([{ type: '=', name: '__name__', value: 'ALERTS_FOR_STATE' }], 0, Infinity)) {
    for (let i = 0; i < s.timestamps.length; i++)
      out.push({ labels: s.labels, t: s.timestamps[i]!, v: s.values[i]! });
  }
  return out.sort((x, y) => x.labels.pool!.localeCompare(y.labels.pool!));
}

describe('ForStateFile', () => {
  it('keeps the latest ALERTS_FOR_STATE sample of each active alert and reads them back after a restart', async () => {
    const path = join(dir, 'state.json');
    const forwarded: string[] = [];
    const file = new ForStateFile(path);
    const sink = file.wrap({ append: (labels) => forwarded.push(labels.__name__!) });
    sink.append({ ...a, __name__: 'ALERTS', alertstate: 'pending' }, 1_000, 1);
    sink.append(a, 1_000, 0);
    sink.append(b, 1_000, 0);
    sink.append(a, 61_000, 0);
    sink.append(b, 61_000, STALE_NAN); // b ended: nothing to restore for it
    await file.flush();
    expect(forwarded).toEqual([
      'ALERTS',
      'ALERTS_FOR_STATE',
      'ALERTS_FOR_STATE',
      'ALERTS_FOR_STATE',
      'ALERTS_FOR_STATE',
    ]);
    const restarted = new ForStateFile(path);
    expect(samplesOf(await restarted.load())).toEqual([{ labels: a, t: 61_000, v: 0 }]);
    // the file holds data about the service: owner-only
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('drops samples older than the retention, which could no longer be restored', async () => {
    const path = join(dir, 'retention.json');
    const file = new ForStateFile(path, { retentionMs: 60_000 });
    const sink = file.wrap(undefined);
    sink.append(a, 0, 0);
    sink.append(b, 120_000, 0);
    await file.flush();
    expect(samplesOf(await new ForStateFile(path).load()).map((s) => s.labels.pool)).toEqual(['b']);
  });

  it('starts empty from a missing or corrupt file, logging the corrupt one, and never throws', async () => {
    const warnings: object[] = [];
    const logger = { debug() {}, info() {}, warn: (o: object) => warnings.push(o), error() {} };
    expect(samplesOf(await new ForStateFile(join(dir, 'missing.json'), { logger }).load())).toEqual([]);
    expect(warnings).toEqual([]);
    const corrupt = join(dir, 'corrupt.json');
    writeFileSync(corrupt, '{"samples": [');
    expect(samplesOf(await new ForStateFile(corrupt, { logger }).load())).toEqual([]);
    expect(warnings).toHaveLength(1);
    writeFileSync(corrupt, JSON.stringify({ samples: [{ labels: { x: 1 }, t: 'no', v: 0 }, 7, null] }));
    expect(samplesOf(await new ForStateFile(corrupt, { logger }).load())).toEqual([]);
    const unwritable = new ForStateFile(join(dir, 'no-such-dir', 'state.json'), { logger });
    unwritable.wrap(undefined).append(a, 0, 0);
    await expect(unwritable.flush()).resolves.toBeUndefined();
  });

  it('keeps what it loaded when nothing changes before the next restart', async () => {
    const path = join(dir, 'kept.json');
    const first = new ForStateFile(path);
    first.wrap(undefined).append(a, 5_000, 1);
    await first.flush();
    const second = new ForStateFile(path);
    await second.load();
    second.wrap(undefined).append(b, 6_000, 2);
    await second.flush();
    expect(JSON.parse(readFileSync(path, 'utf8')).samples).toHaveLength(2);
  });
});
