/**
 * Hot reload of `MetricsConfig` (the spec: "Loaded at application startup, hot-reloadable without restart").
 * The file's directory is watched (editors and config management replace files rather than write them in
 * place), changes are debounced, and a reload reads at most {@link MAX_CONFIG_BYTES}. A file that does not
 * load keeps the config in force and reports why; the next good version is applied.
 */
import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { type LoadMetricsConfigOptions, loadMetricsConfig } from './load-metrics-config.ts';
import { changedFields, LIVE_FIELDS, type MetricsConfig } from './metrics-config.ts';
import { ProxyWhirlConfigError } from './proxywhirl-config-error.ts';

/** One applied reload. */
export interface MetricsConfigChange {
  readonly config: MetricsConfig;
  readonly previous: MetricsConfig;
  /** Every field that changed. */
  readonly changed: readonly (keyof MetricsConfig)[];
  /** Changed fields a running service cannot apply (the server's address, buckets...): they wait for a restart. */
  readonly restartRequired: readonly (keyof MetricsConfig)[];
}

/** Options of {@link watchMetricsConfig}. */
export interface WatchMetricsConfigOptions extends LoadMetricsConfigOptions {
  /** The config in force when watching starts. */
  readonly initial: MetricsConfig;
  /** Called with each reload that changed something. Its own errors are reported through `onError`. */
  readonly onChange: (change: MetricsConfigChange) => void;
  /** Called when a changed file does not load; the previous config stays in force. */
  readonly onError: (error: ProxyWhirlConfigError) => void;
  /** Quiet time after the last file event before reloading; default 200 ms. */
  readonly debounceMs?: number;
}

/** A running watch. */
export interface MetricsConfigWatch {
  /** The config in force (the last one that loaded). */
  readonly current: MetricsConfig;
  /** Reloads now, as a file change would. */
  reload(): void;
  /** Stops watching. */
  close(): void;
}

/**
 * Watches `file` and applies each valid new version.
 *
 * @example
 * ```ts
 * const watch = watchMetricsConfig('.proxywhirl.toml', {
 *   initial: config,
 *   onChange: ({ config }) => metrics.setSwitches({ requests: config.enable_request_metrics, pools: config.enable_pool_metrics }),
 *   onError: (error) => logger.error({ err: error.message }, 'metrics config not reloaded'),
 * });
 * ```
 */
export function watchMetricsConfig(file: string, options: WatchMetricsConfigOptions): MetricsConfigWatch {
  const path = resolve(file);
  const name = basename(path);
  let current = options.initial;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const reload = (): void => {
    if (closed) return;
    let next: MetricsConfig;
    try {
      next = loadMetricsConfig(path, options);
    } catch (error) {
      options.onError(
        error instanceof ProxyWhirlConfigError
          ? error
          : new ProxyWhirlConfigError('CONFIG_FILE', [
              { file: path, line: undefined, field: '', message: String(error) },
            ]),
      );
      return;
    }
    const changed = changedFields(current, next);
    if (changed.length === 0) return;
    const previous = current;
    current = next;
    try {
      options.onChange({
        config: next,
        previous,
        changed,
        restartRequired: changed.filter((field) => !LIVE_FIELDS.has(field)),
      });
    } catch (error) {
      options.onError(
        new ProxyWhirlConfigError(
          'CONFIG_INVALID',
          [
            {
              file: path,
              line: undefined,
              field: '',
              message: `applying the new config failed: ${String(error)}`,
            },
          ],
          { cause: error },
        ),
      );
    }
  };

  const watcher: FSWatcher = watch(dirname(path), { persistent: false }, (_event, changedName) => {
    // Some platforms give no file name; then any event in the directory may be ours.
    if (changedName !== null && changedName !== name) return;
    clearTimeout(timer);
    timer = setTimeout(reload, options.debounceMs ?? 200);
  });
  watcher.on('error', (error) => {
    options.onError(
      new ProxyWhirlConfigError('CONFIG_FILE', [
        { file: path, line: undefined, field: '', message: `watching stopped: ${error.message}` },
      ]),
    );
  });

  return {
    get current() {
      return current;
    },
    reload,
    close() {
      closed = true;
      clearTimeout(timer);
      watcher.close();
    },
  };
}
