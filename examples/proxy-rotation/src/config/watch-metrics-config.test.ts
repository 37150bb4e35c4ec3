import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMetricsConfig } from './load-metrics-config.ts';
import type { ProxyWhirlConfigError } from './proxywhirl-config-error.ts';
import {
  type MetricsConfigChange,
  type MetricsConfigWatch,
  watchMetricsConfig,
} from './watch-metrics-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'proxywhirl-watch-'));
const file = join(dir, '.proxywhirl.toml');
let watch: MetricsConfigWatch | undefined;
afterEach(() => watch?.close());

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

describe('hot reload of MetricsConfig', () => {
  it('applies a valid change, keeps the old config with a clear error for a bad one, then takes the next good one', async () => {
    writeFileSync(file, '[metrics]\nexposition_port = 9100\nenable_request_metrics = true\n');
    const changes: MetricsConfigChange[] = [];
    const errors: ProxyWhirlConfigError[] = [];
    watch = watchMetricsConfig(file, {
      initial: loadMetricsConfig(file),
      debounceMs: 50,
      onChange: (change) => changes.push(change),
      onError: (error) => errors.push(error),
    });

    writeFileSync(file, '[metrics]\nexposition_port = 9100\nenable_request_metrics = false\n');
    const first = await waitFor('the first reload', () => changes[0]);
    expect(first.changed).toEqual(['enable_request_metrics']);
    expect(first.restartRequired).toEqual([]);
    expect(watch.current.enable_request_metrics).toBe(false);

    writeFileSync(file, '[metrics]\nexposition_port = 9100\nscrape_interval_seconds = 0\n');
    const error = await waitFor('the refused reload', () => errors[0]);
    expect(error.message).toBe(`${file}:3: metrics.scrape_interval_seconds: must be 1-3600`);
    expect(watch.current.enable_request_metrics).toBe(false);
    expect(watch.current.scrape_interval_seconds).toBe(60);

    // Written elsewhere and renamed over the file, as editors and config management do.
    writeFileSync(
      join(dir, 'next.toml'),
      '[metrics]\nexposition_port = 9200\nenable_request_metrics = false\n',
    );
    renameSync(join(dir, 'next.toml'), file);
    const second = await waitFor('the second reload', () => changes[1]);
    expect(second.changed).toEqual(['exposition_port']);
    expect(second.restartRequired).toEqual(['exposition_port']);
    expect(second.previous.exposition_port).toBe(9100);
    expect(watch.current.exposition_port).toBe(9200);
    expect(changes).toHaveLength(2);
  });

  it('reports a file that disappears and stays on the config in force', async () => {
    writeFileSync(file, '[metrics]\nexposition_port = 9300\n');
    const errors: ProxyWhirlConfigError[] = [];
    watch = watchMetricsConfig(file, {
      initial: loadMetricsConfig(file),
      debounceMs: 50,
      onChange: () => {},
      onError: (error) => errors.push(error),
    });
    rmSync(file);
    const error = await waitFor('the error', () => errors[0]);
    expect(error.message).toContain('cannot be read (ENOENT)');
    expect(watch.current.exposition_port).toBe(9300);
  });
});
