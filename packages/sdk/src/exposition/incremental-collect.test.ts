import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import {
  AggregationTemporality,
  AggregationType,
  type CollectionResult,
  MeterProvider,
  type MetricProducer,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { renderExposition } from './exposition-serializer.ts';
import { collectIncrementally } from './incremental-collect.ts';
import { PrometheusReader } from './prometheus-reader.ts';

/** The collection without its timestamps, which differ between two readers collecting one after the other. */
function withoutTimes(resourceMetrics: ResourceMetrics): unknown {
  return {
    resource: resourceMetrics.resource.attributes,
    scopeMetrics: resourceMetrics.scopeMetrics.map((scope) => ({
      scope: scope.scope,
      metrics: scope.metrics.map(({ dataPoints, ...metric }) => ({
        ...metric,
        dataPoints: dataPoints.map(({ startTime: _s, endTime: _e, ...point }) => point),
      })),
    })),
  };
}

/** The first line where two large expositions differ: a full diff of two ~1 MB texts takes minutes. */
function firstDifference(ours: string, theirs: string): string | undefined {
  const a = ours.split('\n');
  const b = theirs.split('\n');
  const at = a.findIndex((line, i) => line !== b[i]);
  if (at === -1 && a.length === b.length) return undefined;
  const line = at === -1 ? a.length : at;
  return `line ${line}: ${JSON.stringify(a[line])} vs ${JSON.stringify(b[line])}`;
}

function endTimes(resourceMetrics: ResourceMetrics): Set<string> {
  const times = new Set<string>();
  for (const scope of resourceMetrics.scopeMetrics)
    for (const metric of scope.metrics)
      for (const point of metric.dataPoints) times.add(point.endTime.join(':'));
  return times;
}

/** A registry with every instrument kind, sync and observable, over three meters; `grow` adds series. */
function registry() {
  const incremental = new PrometheusReader();
  const reference = new PrometheusReader();
  const provider = new MeterProvider({
    readers: [incremental, reference],
    views: [
      {
        instrumentName: 'latency.exponential',
        aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM },
      },
      { instrumentName: 'capped', aggregationCardinalityLimit: 5 },
    ],
  });
  const http = provider.getMeter('http', '1.2.0');
  const jobs = provider.getMeter('jobs', undefined, { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' });
  const silent = provider.getMeter('silent');
  const requests = http.createCounter('requests', { description: 'Requests handled.' });
  const inFlight = http.createUpDownCounter('in_flight');
  const latency = http.createHistogram('latency', { unit: 's' });
  const bounded = http.createHistogram('size', {
    unit: 'By',
    advice: { explicitBucketBoundaries: [10, 100] },
  });
  const exponential = http.createHistogram('latency.exponential', { unit: 's' });
  const temperature = jobs.createGauge('temperature');
  const capped = jobs.createCounter('capped');
  let round = 0;
  jobs
    .createObservableCounter('processed')
    .addCallback((result) => result.observe(100 * round, { queue: `q${round % 3}` }));
  jobs.createObservableUpDownCounter('queued').addCallback((result) => {
    for (let q = 0; q <= round; q++) result.observe(q - round, { queue: `q${q}` });
  });
  // An asynchronous callback settles after the synchronous ones, which moves its meter last.
  http.createObservableGauge('heap', { unit: 'By' }).addCallback(async (result) => {
    await new Promise((resolve) => setTimeout(resolve, 2));
    result.observe(1_000 + round);
  });
  const workers = jobs.createObservableGauge('workers');
  const busy = jobs.createObservableGauge('busy');
  jobs.addBatchObservableCallback(
    (result) => {
      result.observe(workers, 4 + round);
      result.observe(busy, round, { pool: 'io' });
    },
    [workers, busy],
  );
  silent.createObservableGauge('nothing').addCallback(() => undefined);
  const grow = () => {
    round++;
    for (let i = 0; i < 4 * round; i++) {
      const attributes = { route: `/r/${i}`, method: i % 2 ? 'GET' : 'POST' };
      requests.add(i + 1, attributes);
      inFlight.add(i % 3 === 0 ? -1 : 1, attributes);
      latency.record(i / 10, attributes);
      bounded.record(i * 7, attributes);
      exponential.record(0.001 * (i + 1), attributes);
      capped.add(1, { id: `${round}-${i}` });
    }
    temperature.record(20 + round, { room: `r${round % 2}` });
    if (round === 2) {
      // An instrument and a meter that appear between collections.
      http.createCounter('late').add(3, { route: '/late' });
      provider.getMeter('late.meter').createCounter('late.meter.counter').add(1);
    }
  };
  return { incremental, reference, grow };
}

const warnings: string[] = [];
const logger: DiagLogger = {
  error: () => undefined,
  warn: (message) => warnings.push(message),
  info: () => undefined,
  debug: () => undefined,
  verbose: () => undefined,
};

afterEach(() => {
  diag.disable();
  warnings.length = 0;
});

describe('collectIncrementally', () => {
  it.each([
    { storages: 'whole', splitStoragesFrom: undefined },
    { storages: 'split into slices', splitStoragesFrom: 1 },
  ])(
    'collects what collect() does across collections that add series, instruments and meters (storages $storages)',
    async ({ splitStoragesFrom }) => {
      diag.setLogger(logger, DiagLogLevel.WARN);
      const { incremental, reference, grow } = registry();
      for (let collection = 0; collection < 4; collection++) {
        grow();
        // maxSliceMs 0 takes an event-loop turn before every storage and every 256 entries of a split one.
        const ours = await collectIncrementally(incremental, { maxSliceMs: 0, splitStoragesFrom });
        const theirs = await reference.collect();
        expect(ours.errors).toEqual(theirs.errors);
        expect(withoutTimes(ours.resourceMetrics)).toEqual(withoutTimes(theirs.resourceMetrics));
        expect(ours.resourceMetrics.resource).toBe(theirs.resourceMetrics.resource);
        expect(renderExposition(ours.resourceMetrics, 'openmetrics')).toBe(
          renderExposition(theirs.resourceMetrics, 'openmetrics'),
        );
        // One collection time for every point, as the SDK's single collection has.
        expect(endTimes(ours.resourceMetrics).size).toBe(1);
      }
      const last = await collectIncrementally(incremental, { splitStoragesFrom });
      const names = last.resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name));
      expect(names).toEqual(expect.arrayContaining(['late', 'late.meter.counter', 'capped', 'busy']));
      // No fallback: the SDK's private state was walked, not the public collect().
      expect(warnings.filter((message) => message.includes('incremental collection'))).toEqual([]);
    },
  );

  it('serves render() from the incremental collection with the same text as collect()', async () => {
    const { incremental, reference, grow } = registry();
    for (let collection = 0; collection < 3; collection++) {
      grow();
      let text = '';
      for await (const chunk of await incremental.render('text')) text += chunk;
      expect(text).toBe(renderExposition((await reference.collect()).resourceMetrics, 'text'));
    }
  });

  it('splits one large instrument into slices that add up to what collect() gives, while another reader collects', async () => {
    const incremental = new PrometheusReader({ cardinalitySelector: () => 100_000 });
    const reference = new PrometheusReader({ cardinalitySelector: () => 100_000 });
    const meter = new MeterProvider({ readers: [incremental, reference] }).getMeter('large');
    const histogram = meter.createHistogram('latency', { unit: 's' });
    const counter = meter.createCounter('requests');
    const record = (round: number, series: number) => {
      for (let i = 0; i < series; i++) {
        histogram.record(((i * 7 + round) % 1000) / 100, { route: `/r/${i}` });
        counter.add(round + 1, { route: `/r/${i}` });
      }
    };
    for (let round = 0; round < 3; round++) {
      record(round, 10_000 + 1_000 * round);
      let ticks = 0;
      let running = true;
      const tick = () => {
        ticks++;
        if (running) setImmediate(tick);
      };
      setImmediate(tick);
      const pending = collectIncrementally(incremental, { maxSliceMs: 0 });
      // The other reader collects the same storages while this one is between two slices of them.
      await new Promise((resolve) => setImmediate(resolve));
      const theirs = await reference.collect();
      const ours = await pending;
      running = false;
      expect(ticks).toBeGreaterThan(10);
      const points = ours.resourceMetrics.scopeMetrics[0]?.metrics.map((m) => m.dataPoints.length);
      expect(points?.[0]).toBe(10_000 + 1_000 * round);
      expect(
        firstDifference(
          renderExposition(ours.resourceMetrics, 'text'),
          renderExposition(theirs.resourceMetrics, 'text'),
        ),
      ).toBeUndefined();
    }
    // Recorded while a split collection is under way: in that collection or the next one, never lost.
    const pending = collectIncrementally(incremental, { maxSliceMs: 0 });
    await new Promise((resolve) => setImmediate(resolve));
    histogram.record(99, { route: '/during' });
    counter.add(5, { route: '/during' });
    await pending;
    const [ours, theirs] = [await collectIncrementally(incremental), await reference.collect()];
    expect(renderExposition(ours.resourceMetrics, 'text')).toBe(
      renderExposition(theirs.resourceMetrics, 'text'),
    );
    expect(renderExposition(ours.resourceMetrics, 'text')).toContain('requests_total{route="/during"');
  });

  it('collects a delta reader as collect() does, storages whole since only cumulative ones are split', async () => {
    class DeltaReader extends MetricReader {
      constructor() {
        super({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
      }
      protected override onForceFlush(): Promise<void> {
        return Promise.resolve();
      }
      protected override onShutdown(): Promise<void> {
        return Promise.resolve();
      }
    }
    const incremental = new DeltaReader();
    const reference = new DeltaReader();
    const meter = new MeterProvider({ readers: [incremental, reference] }).getMeter('delta');
    const counter = meter.createCounter('requests');
    for (let round = 1; round <= 3; round++) {
      for (let i = 0; i < round * 3; i++) counter.add(round, { i: String(i) });
      const ours = await collectIncrementally(incremental, { maxSliceMs: 0, splitStoragesFrom: 1 });
      const theirs = await reference.collect();
      expect(withoutTimes(ours.resourceMetrics)).toEqual(withoutTimes(theirs.resourceMetrics));
      expect(ours.resourceMetrics.scopeMetrics[0]?.metrics[0]?.aggregationTemporality).toBe(
        AggregationTemporality.DELTA,
      );
    }
  });

  it('reports callback errors as collect() does', async () => {
    const incremental = new PrometheusReader();
    const reference = new PrometheusReader();
    const meter = new MeterProvider({ readers: [incremental, reference] }).getMeter('failing');
    meter.createObservableGauge('broken').addCallback(() => {
      throw new Error('callback failed');
    });
    meter.createCounter('fine').add(1);
    const ours = await collectIncrementally(incremental);
    const theirs = await reference.collect();
    expect(ours.errors).toHaveLength(1);
    expect(ours.errors).toEqual(theirs.errors);
    expect(withoutTimes(ours.resourceMetrics)).toEqual(withoutTimes(theirs.resourceMetrics));
  });

  it('gives the event loop turns between instruments while collecting', async () => {
    const reader = new PrometheusReader();
    const meter = new MeterProvider({ readers: [reader] }).getMeter('many');
    for (let i = 0; i < 50; i++) meter.createCounter(`counter.${i}`).add(i);
    let ticks = 0;
    let running = true;
    const tick = () => {
      ticks++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const { resourceMetrics } = await collectIncrementally(reader, { maxSliceMs: 0 });
    running = false;
    expect(resourceMetrics.scopeMetrics[0]?.metrics).toHaveLength(50);
    expect(ticks).toBeGreaterThanOrEqual(49);
  });

  it('runs overlapping collections of one reader one after the other, each complete', async () => {
    const incremental = new PrometheusReader();
    const reference = new PrometheusReader();
    const meter = new MeterProvider({ readers: [incremental, reference] }).getMeter('overlap');
    for (let i = 0; i < 20; i++) meter.createCounter(`counter.${i}`).add(i + 1, { i: String(i) });
    const [first, second] = await Promise.all([
      collectIncrementally(incremental, { maxSliceMs: 0 }),
      collectIncrementally(incremental, { maxSliceMs: 0 }),
    ]);
    const theirs = withoutTimes((await reference.collect()).resourceMetrics);
    expect(withoutTimes(first.resourceMetrics)).toEqual(theirs);
    expect(withoutTimes(second.resourceMetrics)).toEqual(theirs);
    // Each is one whole collection with its own single collection time, the second not before the first.
    const [firstTime] = [...endTimes(first.resourceMetrics)];
    const [secondTime] = [...endTimes(second.resourceMetrics)];
    expect(endTimes(first.resourceMetrics).size).toBe(1);
    expect(endTimes(second.resourceMetrics).size).toBe(1);
    const [firstSeconds = 0, firstNanos = 0] = (firstTime ?? '').split(':').map(Number);
    const [secondSeconds = 0, secondNanos = 0] = (secondTime ?? '').split(':').map(Number);
    expect(secondSeconds * 1e9 + secondNanos).toBeGreaterThanOrEqual(firstSeconds * 1e9 + firstNanos);
  });

  it('rejects like collect() when the reader is not registered or is shut down', async () => {
    await expect(collectIncrementally(new PrometheusReader())).rejects.toThrow('not bound');
    const reader = new PrometheusReader();
    const provider = new MeterProvider({ readers: [reader] });
    await provider.shutdown();
    await expect(collectIncrementally(reader)).rejects.toThrow('shutdown');
  });
});

describe('collectIncrementally fallback', () => {
  it('uses collect() without a warning when the reader is bound to another producer (setMetricProducer)', async () => {
    diag.setLogger(logger, DiagLogLevel.WARN);
    const collected: CollectionResult = {
      resourceMetrics: {
        resource: await sdkResource(),
        scopeMetrics: [],
      },
      errors: [],
    };
    const producer: MetricProducer = { collect: () => Promise.resolve(collected) };
    const reader = new PrometheusReader();
    reader.setMetricProducer(producer);
    const first = await collectIncrementally(reader);
    const second = await collectIncrementally(reader);
    expect(first.resourceMetrics.resource).toBe(collected.resourceMetrics.resource);
    expect(second.resourceMetrics.scopeMetrics).toEqual([]);
    // startTelemetry() binds every reader to the metrics core this way: nothing is out of shape.
    expect(warnings.filter((message) => message.includes('incremental collection'))).toEqual([]);
  });

  it('uses collect() when the SDK keeps its meters in something other than a Map', async () => {
    diag.setLogger(logger, DiagLogLevel.WARN);
    const incremental = new PrometheusReader();
    const reference = new PrometheusReader();
    const provider = new MeterProvider({ readers: [incremental, reference] });
    provider.getMeter('m').createCounter('requests').add(2, { route: '/' });
    // A later SDK version that changed this private shape: collect() still works, the walk must not run.
    const collector = (
      incremental as unknown as {
        _sdkMetricProducer: { _sharedState: { meterSharedStates: Map<string, unknown> } };
      }
    )._sdkMetricProducer;
    const meters = collector._sharedState.meterSharedStates;
    collector._sharedState.meterSharedStates = { values: () => meters.values() } as unknown as Map<
      string,
      unknown
    >;
    const ours = await collectIncrementally(incremental);
    expect(withoutTimes(ours.resourceMetrics)).toEqual(
      withoutTimes((await reference.collect()).resourceMetrics),
    );
    expect(warnings.filter((message) => message.includes('MetricCollector._sharedState'))).toHaveLength(1);
  });
});

async function sdkResource(): Promise<ResourceMetrics['resource']> {
  const reader = new PrometheusReader();
  new MeterProvider({ readers: [reader] });
  return (await reader.collect()).resourceMetrics.resource;
}
