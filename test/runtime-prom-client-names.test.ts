/**
 * `metrics.runtime.naming: 'prom-client'` against prom-client 15 itself: the runtime kit's families on
 * `/metrics` have prom-client's names, types and label names, and agree with prom-client's values where
 * those are the same reading of the same process.
 */
import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition, sampleValue } from './support/exposition-samples.ts';

interface Family {
  readonly type: string;
  readonly labelNames: string;
  readonly hasSamples: boolean;
}

/** Family name → type and the sorted label names of its samples (without `le` and scope/target labels). */
function families(text: string): Map<string, Family> {
  const types = new Map<string, string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(name!, type!);
  const out = new Map<string, Family>();
  const labelsOf = new Map<string, Set<string>>();
  for (const sample of parseExposition(text)) {
    const family = [...types.keys()].find(
      (name) =>
        sample.name === name ||
        (types.get(name) === 'histogram' && /^(.*)_(bucket|sum|count)$/.exec(sample.name)?.[1] === name),
    );
    if (family === undefined) continue;
    const set = labelsOf.get(family) ?? new Set<string>();
    for (const key of Object.keys(sample.labels))
      if (key !== 'le' && !key.startsWith('otel_scope_')) set.add(key);
    labelsOf.set(family, set);
  }
  for (const [name, type] of types) {
    const labels = labelsOf.get(name);
    out.set(name, {
      type,
      labelNames: [...(labels ?? [])].sort().join(','),
      hasSamples: labels !== undefined,
    });
  }
  return out;
}

describe("metrics.runtime.naming: 'prom-client'", () => {
  let telemetry: Telemetry;
  let ours: string;
  let theirs: string;

  beforeAll(async () => {
    telemetry = await startTelemetry({
      env: {},
      configFile: false,
      logger: silentLogger,
      registerGlobal: false,
      server: { port: 0 },
      metrics: { runtime: { naming: 'prom-client' } },
    });
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    // let a GC happen so both have a gc histogram series, and both event-loop monitors a sample
    (globalThis as { gc?: () => void }).gc?.();
    for (let i = 0; i < 30; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    ours = await (await fetch(`${telemetry.url}/metrics`)).text();
    theirs = await registry.metrics();
  });

  afterAll(() => telemetry.shutdown());

  it("exposes every prom-client default metric family with prom-client's type and label names", () => {
    const expected = families(theirs);
    const actual = families(ours);
    expect(expected.size).toBeGreaterThan(25);
    for (const [name, family] of expected) {
      // prom-client writes HELP/TYPE of a labelled gauge with no series yet (no active request of any
      // type); an OTel observable that observed nothing has no family to write, so there is nothing to compare
      if (!family.hasSamples) continue;
      const compared = { type: family.type, labelNames: family.labelNames };
      expect({ name, ...(actual.get(name) ?? { type: 'missing' }) }).toMatchObject({ name, ...compared });
    }
  });

  it("agrees with prom-client's readings of the same process", () => {
    const a = parseExposition(ours);
    const b = parseExposition(theirs);
    const version = b.find((s) => s.name === 'nodejs_version_info');
    expect(sampleValue(a, 'nodejs_version_info', version?.labels ?? {})).toBe(1);
    expect(sampleValue(a, 'process_start_time_seconds')).toBeCloseTo(
      sampleValue(b, 'process_start_time_seconds')!,
      -1,
    );
    if (process.platform === 'linux') {
      expect(sampleValue(a, 'process_max_fds')).toBe(sampleValue(b, 'process_max_fds'));
    }
    const cpuOurs = sampleValue(a, 'process_cpu_seconds_total')!;
    const cpuTheirs = sampleValue(b, 'process_cpu_seconds_total')!;
    expect(cpuOurs).toBeGreaterThan(0);
    // read moments apart in one process: within a second of CPU time of each other
    expect(Math.abs(cpuOurs - cpuTheirs)).toBeLessThan(1);
    // V8's heap spaces by the same `space` label; read moments apart, so the totals agree within a factor
    const spaces = b.filter((s) => s.name === 'nodejs_heap_space_size_total_bytes');
    expect(spaces.length).toBeGreaterThan(3);
    let oursTotal = 0;
    let theirsTotal = 0;
    for (const space of spaces) {
      const value = sampleValue(a, 'nodejs_heap_space_size_total_bytes', space.labels);
      expect({ space: space.labels.space, found: value !== undefined }).toEqual({
        space: space.labels.space,
        found: true,
      });
      oursTotal += value ?? 0;
      theirsTotal += space.value;
    }
    expect(oursTotal / theirsTotal).toBeGreaterThan(0.5);
    expect(oursTotal / theirsTotal).toBeLessThan(2);
  });

  it('leaves the OTel semantic-convention runtime names out', () => {
    expect(ours).not.toMatch(/^process_cpu_time_seconds_total/m);
    expect(ours).not.toMatch(/^v8js_memory_heap_used_bytes/m);
  });
});
