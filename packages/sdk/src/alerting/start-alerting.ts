/**
 * In-process alerting for `startTelemetry`: the configured rule files evaluated against the embedded store,
 * `ALERTS`/`ALERTS_FOR_STATE` and recording results written back to it, alerts sent to the configured
 * channels, and hot reload on file change and SIGHUP.
 */
import type { Meter } from '@opentelemetry/api';
import { AlertEvaluator, createEmbeddedDatasource } from '@yardstick/alert-evaluator';
import type { SampleStore } from '@yardstick/promql';
import type { YardstickConfig } from '../config/schema.ts';
import type { Logger } from '../logging/logger.ts';

/** Running in-process alerting; `stop()` ends evaluation, watching and delivery. */
export interface RunningAlerting {
  readonly evaluator: AlertEvaluator;
  stop(): Promise<void>;
}

/**
 * Starts alerting when rule files are configured; returns undefined otherwise. Rejects with the
 * evaluator's error (every problem as `file:line: path: message`) when a rule file is invalid at start.
 */
export async function startAlerting(
  config: YardstickConfig['alerting'],
  store: SampleStore,
  context: { readonly logger: Logger; readonly meter: Meter; readonly externalUrl: string | undefined },
): Promise<RunningAlerting | undefined> {
  if (config.ruleFiles.length === 0) return undefined;
  const channels = [...config.channels];
  if (config.alertmanagerUrls?.length) {
    channels.push({ name: 'alertmanager', type: 'alertmanager', urls: config.alertmanagerUrls });
  }
  const evaluator = await AlertEvaluator.create({
    ruleFiles: config.ruleFiles,
    datasource: createEmbeddedDatasource(store),
    sink: store,
    restoreFrom: store,
    channels,
    defaultIntervalMs: config.evaluationIntervalMs,
    ...(config.stateFile === undefined ? {} : { stateFile: config.stateFile }),
    externalLabels: config.externalLabels,
    externalURL: config.externalUrl ?? context.externalUrl ?? '',
    logger: context.logger,
    meter: context.meter,
  });
  evaluator.start();
  const stopWatching = config.watch ? evaluator.watch() : undefined;
  const stopSighup = config.watch ? evaluator.reloadOnSighup() : undefined;
  context.logger.info(
    { ruleFiles: config.ruleFiles, channels: channels.map((c) => c.name) },
    'alerting started',
  );
  return {
    evaluator,
    async stop() {
      stopWatching?.();
      stopSighup?.();
      await evaluator.stop();
    },
  };
}
