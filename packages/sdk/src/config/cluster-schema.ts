import { z } from 'zod';
import { durationSchema as duration } from './duration-schema.ts';

/**
 * How the primary combines one gauge series that several processes report: their sum, the lowest, the
 * highest, the value that changed last, or one series per process with a `worker` label.
 */
export const CLUSTER_GAUGE_POLICIES = ['sum', 'min', 'max', 'last', 'worker'] as const;

/** One of {@link CLUSTER_GAUGE_POLICIES}. */
export type ClusterGaugePolicy = (typeof CLUSTER_GAUGE_POLICIES)[number];

/** The `cluster` section: one aggregate `/metrics` for a `node:cluster` primary and its workers. */
export const clusterSchema = z
  .strictObject({
    mode: z
      .enum(['aggregate', 'off'])
      .default('aggregate')
      .describe(
        '`aggregate`: under node:cluster, workers open no telemetry port and report to the primary, which serves and exports the sum; `off`: every process runs its own pipeline.',
      ),
    reportIntervalMs: duration(
      'How often a worker sends its totals to the primary (also once on shutdown): the staleness of the aggregate.',
      { minMs: 100, maxMs: 60_000 },
    ).default(1_000),
    gauges: z
      .record(z.string().min(1), z.enum(CLUSTER_GAUGE_POLICIES))
      .default({})
      .describe(
        'How the primary combines the gauges of its processes, keyed by instrument name or pattern (`*` matches any run of characters): sum, min, max, last, or worker (one series per process, labelled `worker`). Unmatched gauges are summed.',
      ),
  })
  .prefault({})
  .describe('node:cluster: workers report to the primary, which serves and exports the aggregate.');
