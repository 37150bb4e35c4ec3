/**
 * The persistent embedded store across a real crash: a service (test/fixtures/persistence/persistent-app.ts)
 * collects every 200 ms into `store.path`, is SIGKILLed, and a new process on the same path answers
 * `count_over_time(x[1h])` and the raw samples as the first one did, less at most the last collection.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from './support/peers.ts';
import { waitFor } from './support/wait-for.ts';

const app = join(import.meta.dirname, 'fixtures', 'persistence', 'persistent-app.ts');

interface RunningApp {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  stderr(): string;
}

const children: ChildProcessWithoutNullStreams[] = [];
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function startApp(storePath: string): Promise<RunningApp> {
  const child = spawn(process.execPath, ['--conditions=yardstick-source', app], {
    env: {
      ...process.env,
      YARDSTICK_STORE_PATH: storePath,
      YARDSTICK_COLLECT_INTERVAL: '200ms',
      YARDSTICK_LOG_LEVEL: 'info',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await waitFor(
    'the app to listen',
    () => {
      if (child.exitCode !== null) throw new Error(`app exited ${child.exitCode}:\n${stderr}`);
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      return line === undefined ? undefined : (JSON.parse(line) as { url: string }).url;
    },
    { timeoutMs: 30_000 },
  );
  return { child, url, stderr: () => stderr };
}

type Samples = Array<[number, string]>;

/** The raw samples of `app_ticks_total` in the hour before `time` (seconds), from the embedded API. */
async function rawTicks(url: string, time: number): Promise<Samples> {
  const query = encodeURIComponent('app_ticks_total[1h]');
  const response = await fetch(`${url}/api/v1/query?query=${query}&time=${time}`);
  const body = (await response.json()) as { data: { result: Array<{ values: Samples }> } };
  return body.data.result[0]?.values ?? [];
}

async function countOverTime(url: string, time: number): Promise<number> {
  const query = encodeURIComponent('count_over_time(app_ticks_total[1h])');
  const response = await fetch(`${url}/api/v1/query?query=${query}&time=${time}`);
  const body = (await response.json()) as { data: { result: Array<{ value: [number, string] }> } };
  return Number(body.data.result[0]?.value[1] ?? 0);
}

async function kill(child: ChildProcessWithoutNullStreams): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('a persistent store survives SIGKILL', () => {
  it('restores the history: count_over_time(x[1h]) and the samples match, less at most one collection', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const storePath = join(dir, 'store');
    const first = await startApp(storePath);
    await waitFor(
      '15 collections',
      async () => ((await countOverTime(first.url, Date.now() / 1000)) >= 15 ? true : undefined),
      {
        timeoutMs: 30_000,
        intervalMs: 200,
      },
    );
    const killedAt = Date.now() / 1000;
    const before = await rawTicks(first.url, killedAt);
    await kill(first.child);

    expect(statSync(storePath).mode & 0o777).toBe(0o700);
    for (const file of readdirSync(storePath))
      expect(statSync(join(storePath, file)).mode & 0o777, file).toBe(0o600);

    const second = await startApp(storePath);
    const after = await rawTicks(second.url, killedAt);
    // The collection in progress at the kill may be lost, nothing before it.
    expect(after.length).toBeGreaterThanOrEqual(before.length - 1);
    expect(after.slice(0, before.length - 1)).toEqual(before.slice(0, before.length - 1));
    expect(await countOverTime(second.url, killedAt)).toBe(after.length);
    expect(second.stderr()).toContain('embedded store restored from disk');
    // The restarted process goes on appending to the same series.
    await waitFor('new collections after the restart', async () =>
      (await countOverTime(second.url, Date.now() / 1000)) > after.length + 2 ? true : undefined,
    );
  }, 60_000);

  it('moves a corrupt database aside, says where, and starts with an empty store', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const storePath = join(dir, 'store');
    const first = await startApp(storePath);
    await kill(first.child);
    writeFileSync(join(storePath, 'yardstick-store.db'), 'this is not a database'.repeat(500));
    const second = await startApp(storePath);
    expect(second.stderr()).toContain(join(storePath, 'yardstick-store.db'));
    expect(second.stderr()).toContain('moved aside');
    expect(readdirSync(storePath).some((name) => name.startsWith('yardstick-store.db.corrupt-'))).toBe(true);
    await waitFor('collections into the new store', async () =>
      (await countOverTime(second.url, Date.now() / 1000)) > 0 ? true : undefined,
    );
  }, 60_000);
});
