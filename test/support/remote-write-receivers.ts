/**
 * Real remote-write receivers for integration tests (Prometheus 2.42 with its receiver enabled, VictoriaMetrics
 * 1.79), started on a free 127.0.0.1 port over a data directory that survives a restart, and read back through
 * their own query APIs as raw samples per series.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isStaleNaN, type Labels, type SampleStore } from '@yardstick/promql';
import { freePort, type RunningPeer, startPeer } from './peers.ts';

/** Raw samples of one series: [timestamp ms, value]. */
export type SeriesSamples = Map<string, Array<[number, number]>>;

/** A started receiver that can be stopped and started again on the same port and data. */
export interface Receiver {
  /** Where remote write posts. */
  readonly writeUrl: string;
  /** Raw samples of the series `selector` (e.g. `{__name__=~"shop_.*",instance="a"}`), keyed by {@link labelsKey}. */
  samples(selector: string): Promise<SeriesSamples>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A key for a label set: its pairs sorted by name. */
export function labelsKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Prometheus 2.42 as a remote-write receiver (`--web.enable-remote-write-receiver`). */
export async function prometheusReceiver(binary: string, dir: string): Promise<Receiver> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, 'global:\n  scrape_interval: 1m\n');
  let running: RunningPeer | undefined;
  return {
    writeUrl: `${base}/api/v1/write`,
    async start() {
      running = await startPeer(
        binary,
        [
          `--config.file=${config}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--web.enable-remote-write-receiver',
        ],
        `${base}/-/ready`,
      );
    },
    async stop() {
      await running?.stop();
    },
    async samples(selector) {
      const query = encodeURIComponent(`${selector}[1h]`);
      const response = await fetch(`${base}/api/v1/query?query=${query}&time=${Date.now() / 1000}`);
      const body = (await response.json()) as {
        data: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
      };
      const out: SeriesSamples = new Map();
      for (const series of body.data.result) {
        out.set(
          labelsKey(series.metric),
          series.values.map(([t, v]) => [Math.round(t * 1000), Number(v)]),
        );
      }
      return out;
    },
  };
}

/** VictoriaMetrics 1.79 single-node, receiving on `/api/v1/write`, read back with `/api/v1/export`. */
export async function victoriaMetricsReceiver(binary: string, dir: string): Promise<Receiver> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let running: RunningPeer | undefined;
  return {
    writeUrl: `${base}/api/v1/write`,
    async start() {
      running = await startPeer(
        binary,
        [`-storageDataPath=${join(dir, 'data')}`, `-httpListenAddr=127.0.0.1:${port}`, '-retentionPeriod=1y'],
        `${base}/health`,
      );
    },
    async stop() {
      await running?.stop();
    },
    async samples(selector) {
      const match = encodeURIComponent(selector);
      const response = await fetch(`${base}/api/v1/export?match[]=${match}`);
      const out: SeriesSamples = new Map();
      for (const line of (await response.text()).split('\n')) {
        if (line.trim() === '') continue;
        const series = JSON.parse(line) as {
          metric: Record<string, string>;
          values: number[];
          timestamps: number[];
        };
        const samples = series.timestamps.map((t, i): [number, number] => [t, series.values[i]!]);
        samples.sort((a, b) => a[0] - b[0]);
        out.set(labelsKey(series.metric), samples);
      }
      return out;
    },
  };
}

/**
 * What the receiver should hold: every sample up to `untilMs` of the embedded store's series named by
 * `nameRegex` (staleness markers left out, as query APIs do), labelled with the target's `job` and `instance`
 * as a scrape adds them.
 */
export function expectedSamples(
  store: SampleStore,
  nameRegex: string,
  target: { job: string; instance: string },
  untilMs: number,
): SeriesSamples {
  const out: SeriesSamples = new Map();
  for (const series of store.select([{ type: '=~', name: '__name__', value: nameRegex }], 0, untilMs)) {
    const labels: Labels = { job: target.job, instance: target.instance, ...series.labels };
    const samples: Array<[number, number]> = [];
    for (let i = 0; i < series.timestamps.length; i++) {
      const t = series.timestamps[i]!;
      if (t <= untilMs && !isStaleNaN(series.values[i]!)) samples.push([t, series.values[i]!]);
    }
    out.set(labelsKey(labels), samples);
  }
  return out;
}

/** The samples of `samples` at or before `untilMs`; series left with none are left out. */
export function samplesUntil(samples: SeriesSamples, untilMs: number): SeriesSamples {
  const out: SeriesSamples = new Map();
  for (const [key, series] of samples) {
    const kept = series.filter(([t]) => t <= untilMs);
    if (kept.length > 0) out.set(key, kept);
  }
  return out;
}

/** How what a receiver holds differs from what it should hold. */
export interface SampleDifferences {
  /** Samples (series and timestamp) expected and absent. */
  readonly missing: number;
  /** Samples present and not expected: a series or a timestamp the store never had. */
  readonly unexpected: number;
  /** Samples at the right time with another value. */
  readonly wrongValue: number;
  /** The first few differences, as lines for an assertion message. */
  readonly examples: string[];
}

/**
 * Compares by series and timestamp. Values must be equal within `relativeTolerance`: VictoriaMetrics keeps
 * about 15 significant digits (0.30000000000000004 comes back as 0.3), Prometheus the exact float64.
 */
export function compareSamples(
  got: SeriesSamples,
  want: SeriesSamples,
  relativeTolerance = 0,
): SampleDifferences {
  let missing = 0;
  let unexpected = 0;
  let wrongValue = 0;
  const examples: string[] = [];
  const note = (line: string) => {
    if (examples.length < 10) examples.push(line);
  };
  for (const [key, wanted] of want) {
    const present = new Map(got.get(key) ?? []);
    for (const [t, value] of wanted) {
      const actual = present.get(t);
      if (actual === undefined) {
        missing++;
        note(`missing ${key} @${t}`);
      } else if (Math.abs(actual - value) > relativeTolerance * Math.abs(value)) {
        wrongValue++;
        note(`${key} @${t}: got ${actual}, want ${value}`);
      }
    }
  }
  for (const [key, received] of got) {
    const wanted = new Set((want.get(key) ?? []).map(([t]) => t));
    for (const [t] of received) {
      if (!wanted.has(t)) {
        unexpected++;
        note(`unexpected ${key} @${t}`);
      }
    }
  }
  return { missing, unexpected, wrongValue, examples };
}

/**
 * Polls `receiver` (every 500 ms, up to `timeoutMs`) comparing what it holds of the target's series named by
 * `nameRegex` with the store's samples up to `untilMs`, until `settled` accepts the comparison; returns the
 * last comparison either way, for the test to assert on (so a failure shows the difference, not a timeout).
 */
export async function compareWhenSettled(
  receiver: Receiver,
  expected: { store: SampleStore; target: { job: string; instance: string } },
  options: {
    nameRegex: string;
    untilMs: number;
    relativeTolerance?: number;
    settled?: (differences: SampleDifferences) => boolean | Promise<boolean>;
    timeoutMs?: number;
  },
): Promise<SampleDifferences> {
  const { nameRegex, untilMs, relativeTolerance = 0, timeoutMs = 30_000 } = options;
  const settled =
    options.settled ?? ((d: SampleDifferences) => d.missing + d.unexpected + d.wrongValue === 0);
  const selector = `{__name__=~"${nameRegex}",instance="${expected.target.instance}"}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const want = expectedSamples(expected.store, nameRegex, expected.target, untilMs);
    const got = samplesUntil(await receiver.samples(selector), untilMs);
    const differences = compareSamples(got, want, relativeTolerance);
    if ((await settled(differences)) || Date.now() > deadline) return differences;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
