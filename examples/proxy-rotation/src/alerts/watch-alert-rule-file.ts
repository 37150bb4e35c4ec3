/**
 * Hot reload of the spec's alert rules (seed 000 T057: "alert rule hot-reloading without service
 * restart"): watches a rule file and hands each version that validates to `onRules`; a version with a
 * problem goes to `onError` (as `file:line: alerts[i].field: message`) and the rules in force stay.
 */
import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { AlertRule, ValidateAlertRulesOptions } from './alert-rule.ts';
import { loadAlertRuleFile } from './alert-rule-file.ts';

/** Options of {@link watchAlertRuleFile}. */
export interface WatchAlertRuleFileOptions extends ValidateAlertRulesOptions {
  /** Called with the rules of each valid new version. */
  readonly onRules: (rules: AlertRule[]) => void;
  /** Called when a new version cannot be loaded; the previous rules stay in force. */
  readonly onError: (error: Error) => void;
  /** Editors write a file in several steps: wait this long after the last event (default 200 ms). */
  readonly debounceMs?: number;
}

/**
 * Watches `file` (its directory, so an editor's rename-over is seen too) until the returned function is called.
 *
 * @example
 * ```ts
 * const stop = watchAlertRuleFile('rules/proxywhirl.alerts.yml', {
 *   channels: ['oncall'],
 *   onRules: (rules) => writeThresholdRuleFile(rules, thresholdFile), // the SDK's evaluator reloads it
 *   onError: (error) => logger.error({ err: error.message }, 'alert rules not reloaded'),
 * });
 * ```
 */
export function watchAlertRuleFile(file: string, options: WatchAlertRuleFileOptions): () => void {
  const path = resolve(file);
  const name = basename(path);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const reload = (): void => {
    if (closed) return;
    let rules: AlertRule[];
    try {
      rules = loadAlertRuleFile(path, options);
    } catch (error) {
      options.onError(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    try {
      options.onRules(rules);
    } catch (error) {
      options.onError(
        new Error(`${path}: applying the new rules failed: ${String(error)}`, { cause: error }),
      );
    }
  };
  const watcher: FSWatcher = watch(dirname(path), { persistent: false }, (_event, changedName) => {
    // Some platforms give no file name; then any event in the directory may be ours.
    if (changedName !== null && changedName !== name) return;
    clearTimeout(timer);
    timer = setTimeout(reload, options.debounceMs ?? 200);
  });
  watcher.on('error', (error) => options.onError(new Error(`${path}: watching stopped: ${error.message}`)));
  return () => {
    closed = true;
    clearTimeout(timer);
    watcher.close();
  };
}
