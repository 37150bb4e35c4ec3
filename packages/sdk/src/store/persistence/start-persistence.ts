/** Opens the persistent store at startup and loads its history into the in-memory store. */
import type { SampleStore } from '@yardstick/promql';
import type { Logger } from '../../logging/logger.ts';
import { StorePersistence } from './store-persistence.ts';

/**
 * Opens `store.path` and restores it into `store`. A directory that cannot be created or written is logged
 * and the store stays memory-only: telemetry never takes the service down.
 */
export function startPersistence(
  options: { readonly path: string; readonly retentionMs: number; readonly maxBytes: number },
  store: SampleStore,
  logger: Logger,
): StorePersistence | undefined {
  let persistence: StorePersistence | undefined;
  try {
    persistence = StorePersistence.open({ ...options, logger });
    const restored = persistence.restoreInto(store);
    logger.info(
      { path: options.path, ...restored, durationMs: Math.round(restored.durationMs) },
      'embedded store restored from disk',
    );
    return persistence;
  } catch (error) {
    persistence?.close();
    logger.error(
      { path: options.path, err: error },
      'embedded store cannot persist to store.path; it keeps samples in memory only',
    );
    return undefined;
  }
}
