/**
 * `npm run export -w examples/proxy-rotation -- --source URL --metric NAME... --start T --end T --format F
 * --out FILE --requested-by WHO [--filter label=value...] [--step 5m]`: a {@link HistoricalExport} from the
 * command line (seed 000 T076, T097); every `--metric` must be one of ProxyWhirl's ProxyMetrics. Prints the
 * export's final record as JSON; exit 0 when completed, 1 when failed, 2 for a request that breaks a rule
 * (each problem on its own line, no stack trace).
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseDuration, parseTime } from '@yardstick/exporter-cli';
import { proxyWhirlMetricCatalog } from '../metrics/proxywhirl-metrics.ts';
import { createHistoricalExport, type HistoricalExport, runHistoricalExport } from './historical-export.ts';

const USAGE =
  'usage: export --source URL --metric NAME [--metric NAME...] --start TIME --end TIME --format csv|json|parquet --out FILE --requested-by WHO [--filter label=value...] [--step 5m]';

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function exportCli(
  argv: readonly string[],
  io: { readonly out: (text: string) => void; readonly err: (text: string) => void },
): Promise<number> {
  let pending: HistoricalExport;
  let source: string;
  let stepMs: number;
  try {
    const { values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        source: { type: 'string' },
        metric: { type: 'string', multiple: true },
        start: { type: 'string' },
        end: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        'requested-by': { type: 'string' },
        filter: { type: 'string', multiple: true },
        step: { type: 'string' },
      },
    });
    if (values.source === undefined || values.start === undefined || values.end === undefined) {
      throw new Error(`--source, --start and --end are required\n${USAGE}`);
    }
    source = values.source;
    const now = Date.now();
    stepMs = values.step === undefined ? 300_000 : parseDuration(values.step, '--step');
    const filters: Record<string, string> = {};
    for (const filter of values.filter ?? []) {
      const at = filter.indexOf('=');
      if (at <= 0) throw new Error(`--filter "${filter}": expected label=value`);
      filters[filter.slice(0, at)] = filter.slice(at + 1);
    }
    pending = createHistoricalExport(
      {
        requested_by: values['requested-by'] ?? '',
        metric_names: values.metric ?? [],
        start_time: new Date(parseTime(values.start, '--start', now)),
        end_time: new Date(parseTime(values.end, '--end', now)),
        format: (values.format ?? '') as 'csv',
        filters,
        output_path: values.out ?? '',
      },
      // The spec's exports are of ProxyWhirl's metrics: a name that is none is refused before any query.
      { metrics: proxyWhirlMetricCatalog() },
    );
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const done = await runHistoricalExport(pending, { source, stepMs });
  io.out(`${JSON.stringify(done, null, 2)}\n`);
  if (done.status === 'failed') io.err(`export failed: ${done.error_message}\n`);
  return done.status === 'completed' ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = await exportCli(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
}
