import type { Meter } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { renderExposition } from '../../exposition/exposition-serializer.ts';
import { startRuntimeMetrics } from './runtime-metrics.ts';

class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/** Every data point of a collection, by metric name. */
async function collect(reader: TestReader): Promise<{ rm: ResourceMetrics; points: Map<string, unknown[]> }> {
  const { resourceMetrics: rm, errors } = await reader.collect();
  expect(errors).toEqual([]);
  const points = new Map<string, unknown[]>();
  for (const sm of rm.scopeMetrics) {
    for (const m of sm.metrics) points.set(m.descriptor.name, m.dataPoints as unknown[]);
  }
  return { rm, points };
}

type Point = { attributes: Record<string, unknown>; value: number | { count: number; sum?: number } };

const providers: MeterProvider[] = [];
function setup(): { meter: Meter; reader: TestReader } {
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader] });
  providers.push(provider);
  return { meter: provider.getMeter('@yardstick/sdk'), reader };
}

afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.shutdown()));
});

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // keep the event loop blocked so the delay monitor sees it
  }
};

describe('runtime kit', () => {
  it('reports process, heap and event-loop figures that follow what the process does', async () => {
    const { meter, reader } = setup();
    const runtime = startRuntimeMetrics(meter, { windowMs: 50, resolutionMs: 10 });
    const before = await collect(reader);
    const cpuBefore = (before.points.get('process.cpu.time') as Point[]).find(
      (p) => p.attributes['cpu.mode'] === 'user',
    )!.value as number;

    // Block the loop for 120 ms between two timer ticks, then let the window close.
    await new Promise((resolve) => setTimeout(resolve, 20));
    busy(120);
    await new Promise((resolve) => setTimeout(resolve, 80));
    globalThis.gc?.();
    const { points } = await collect(reader);

    const value = (name: string) =>
      ((points.get(name) as Point[] | undefined)?.[0]?.value ?? Number.NaN) as number;
    const cpuAfter = (points.get('process.cpu.time') as Point[]).find(
      (p) => p.attributes['cpu.mode'] === 'user',
    )!.value as number;
    expect(cpuAfter).toBeGreaterThan(cpuBefore);
    expect(value('process.memory.usage')).toBeGreaterThan(10 * 2 ** 20);
    expect(value('process.uptime')).toBeGreaterThan(0);
    if (process.platform === 'linux') expect(value('process.open_file_descriptors')).toBeGreaterThan(2);

    const heapSpaces = (points.get('v8js.memory.heap.used') as Point[]).map(
      (p) => p.attributes['v8js.heap.space.name'],
    );
    expect(heapSpaces).toContain('old_space');
    expect(heapSpaces).toContain('new_space');

    // The 120 ms block shows in the window's max delay (the monitor samples every 10 ms).
    expect(value('nodejs.eventloop.delay.max')).toBeGreaterThan(0.08);
    expect(value('nodejs.eventloop.delay.max')).toBeGreaterThanOrEqual(value('nodejs.eventloop.delay.p50'));
    expect(value('nodejs.eventloop.utilization')).toBeGreaterThan(0);
    expect(value('nodejs.eventloop.utilization')).toBeLessThanOrEqual(1);
    const states = (points.get('nodejs.eventloop.time') as Point[]).map(
      (p) => p.attributes['nodejs.eventloop.state'],
    );
    expect(states.sort()).toEqual(['active', 'idle']);

    // gc() ran above (vitest runs with --expose-gc): the observer saw at least one collection.
    if (typeof globalThis.gc === 'function') {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const gcPoints = (await collect(reader)).points.get('v8js.gc.duration') as Point[];
      expect(gcPoints.some((p) => p.attributes['v8js.gc.type'] === 'major')).toBe(true);
    }
    runtime.stop();
  });

  it('keeps one window for every reader until it closes, so readers do not reset each other', async () => {
    const { meter, reader } = setup();
    const runtime = startRuntimeMetrics(meter, { windowMs: 300, resolutionMs: 10 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    busy(60);
    await new Promise((resolve) => setTimeout(resolve, 120));
    const first = await collect(reader); // closes the window that saw the block
    const second = await collect(reader); // same window, a moment later
    runtime.stop();
    const max = (c: { points: Map<string, unknown[]> }) =>
      (c.points.get('nodejs.eventloop.delay.max') as Point[])[0]!.value as number;
    expect(max(first)).toBeGreaterThan(0.04);
    expect(max(second)).toBe(max(first));
  });

  it('shows the semantic-convention names on /metrics', async () => {
    const { meter, reader } = setup();
    const runtime = startRuntimeMetrics(meter, { windowMs: 20, resolutionMs: 10 });
    await new Promise((resolve) => setTimeout(resolve, 60));
    const text = renderExposition((await collect(reader)).rm, 'text');
    runtime.stop();
    for (const name of [
      'process_cpu_time_seconds_total{cpu_mode="user"',
      'process_memory_usage_bytes',
      'process_uptime_seconds',
      ...(process.platform === 'linux' ? ['process_open_file_descriptors'] : []),
      'v8js_memory_heap_used_bytes{v8js_heap_space_name="old_space"',
      'nodejs_eventloop_delay_p99_seconds',
      'nodejs_eventloop_utilization_ratio',
      'nodejs_eventloop_time_seconds_total{nodejs_eventloop_state="idle"',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('registers nothing when disabled, and stops reading after stop', async () => {
    const off = setup();
    startRuntimeMetrics(off.meter, { enabled: false });
    expect((await collect(off.reader)).points.size).toBe(0);

    const on = setup();
    const runtime = startRuntimeMetrics(on.meter);
    expect((await collect(on.reader)).points.get('process.uptime')).toHaveLength(1);
    runtime.stop();
    runtime.stop();
    // sdk-metrics keeps exporting the last value of an observed series; after stop it no longer moves.
    const uptime = async () => ((await collect(on.reader)).points.get('process.uptime') as Point[])[0]!.value;
    const frozen = await uptime();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await uptime()).toBe(frozen);
  });
});
