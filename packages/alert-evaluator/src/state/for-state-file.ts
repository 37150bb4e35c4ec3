/**
 * `for` state that survives a process restart when the store holding `ALERTS_FOR_STATE` does not (the
 * embedded store lives in memory). The latest `ALERTS_FOR_STATE` sample of every active alert is kept in a
 * JSON file, written atomically (temporary file, then rename) at most once per `minWriteIntervalMs`, and
 * read back at start as a store to restore from, so the restore follows Prometheus's rules exactly
 * (outage tolerance, grace period) as if the samples had been in the store all along.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { type Labels, SampleStore } from '@yardstick/promql';
import { labelKey } from './label-key.ts';
import { type Logger, type SampleSink, silentLogger } from './sample-sink.ts';

/** Options of {@link ForStateFile}. */
export interface ForStateFileOptions {
  readonly logger?: Logger;
  /** Minimum time between two writes of the file. Default 1 s. */
  readonly minWriteIntervalMs?: number;
  /** Samples older than this (relative to the newest) are dropped from the file: they can no longer be restored. Default 1 h, Prometheus's outage tolerance. */
  readonly retentionMs?: number;
}

interface SavedSample {
  readonly labels: Labels;
  readonly t: number;
  readonly v: number;
}

const FOR_STATE_METRIC = 'ALERTS_FOR_STATE';

function isSavedSample(x: unknown): x is SavedSample {
  const s = x as SavedSample;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.t === 'number' &&
    typeof s.v === 'number' &&
    typeof s.labels === 'object' &&
    s.labels !== null &&
    s.labels.__name__ === FOR_STATE_METRIC &&
    Object.values(s.labels).every((v) => typeof v === 'string')
  );
}

/** The file behind `for`-state persistence. Never throws: read and write failures are logged. */
export class ForStateFile {
  readonly path: string;
  private readonly logger: Logger;
  private readonly minWriteIntervalMs: number;
  private readonly retentionMs: number;
  private readonly latest = new Map<string, SavedSample>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(path: string, options: ForStateFileOptions = {}) {
    this.path = path;
    this.logger = options.logger ?? silentLogger;
    this.minWriteIntervalMs = options.minWriteIntervalMs ?? 1_000;
    this.retentionMs = options.retentionMs ?? 3_600_000;
  }

  /**
   * Reads the file into a store to restore from (empty when the file is absent or unreadable). The
   * samples are also kept, so a restart before they are written again does not lose them.
   */
  async load(): Promise<SampleStore> {
    const store = new SampleStore();
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.logger.warn(
          { file: this.path, err: (err as Error).message },
          "Reading the 'for' state file failed",
        );
      }
      return store;
    }
    let samples: unknown;
    try {
      samples = (JSON.parse(text) as { samples?: unknown }).samples;
    } catch (err) {
      this.logger.warn({ file: this.path, err: (err as Error).message }, "The 'for' state file is not JSON");
      return store;
    }
    for (const s of Array.isArray(samples) ? samples : []) {
      if (!isSavedSample(s)) continue;
      this.latest.set(labelKey(s.labels), s);
      store.append(s.labels, s.t, s.v);
    }
    return store;
  }

  /**
   * A sink that remembers `ALERTS_FOR_STATE` samples (a staleness marker forgets the alert) and forwards
   * every sample to `inner`.
   */
  wrap(inner: SampleSink | undefined): SampleSink {
    return {
      append: (labels, t, v) => {
        if (labels.__name__ === FOR_STATE_METRIC) this.record(labels, t, v);
        inner?.append(labels, t, v);
      },
    };
  }

  private record(labels: Labels, t: number, v: number): void {
    const key = labelKey(labels);
    if (Number.isNaN(v)) this.latest.delete(key);
    else this.latest.set(key, { labels, t, v });
    this.dirty = true;
    if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.minWriteIntervalMs);
      this.timer.unref();
    }
  }

  /** Writes the remembered samples now if they changed since the last write. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    // Writes are serialized; each one writes the state as it is when it starts.
    this.writing = this.writing.then(() => this.write());
    await this.writing;
  }

  private async write(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    let newest = Number.NEGATIVE_INFINITY;
    for (const s of this.latest.values()) newest = Math.max(newest, s.t);
    for (const [key, s] of this.latest) if (s.t < newest - this.retentionMs) this.latest.delete(key);
    const tmp = `${this.path}.tmp`;
    try {
      // alert state is data about the service: readable by its owner only
      await writeFile(tmp, JSON.stringify({ samples: [...this.latest.values()] }), { mode: 0o600 });
      await rename(tmp, this.path);
    } catch (err) {
      this.dirty = true;
      this.logger.error(
        { file: this.path, err: (err as Error).message },
        "Writing the 'for' state file failed",
      );
    }
  }
}
