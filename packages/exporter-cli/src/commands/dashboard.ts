/**
 * `yardstick dashboard --config F --out F`: Grafana dashboard JSON from a small YAML config.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { type FlagSpec, parseFlags, validateFlags } from '../cli-args.ts';
import type { CliIo } from '../cli-io.ts';
import { buildDashboard } from '../dashboard/build-dashboard.ts';
import { loadDashboardConfig } from '../dashboard/load-dashboard-config.ts';
import { CliError } from '../errors.ts';

/** `yardstick dashboard --help`. */
export const DASHBOARD_HELP = `Usage: yardstick dashboard --config FILE.yaml --out FILE.json [--check]

Generates a Grafana dashboard (JSON model) from a small YAML config: title, uid, tags, time range, refresh,
variables (Prometheus template queries) and panels (timeseries or stat) with PromQL, unit, legend and
thresholds. Every panel uses a "datasource" variable, so import it against any Prometheus-compatible source.

  --config FILE   the YAML config
  --out FILE      where to write the JSON (- for stdout)
  --check         do not write; exit 1 if FILE is not what the config generates (for CI)

Exit codes: 0 written (or up to date), 1 out of date with --check or a write failure, 2 bad usage or an
invalid config.

Example config:
  title: Checkout service
  tags: [yardstick]
  refresh: 30s
  variables:
    - { name: job, query: 'label_values(http_server_request_duration_seconds_count, job)' }
  panels:
    - title: Request rate by route
      unit: reqps
      queries:
        - expr: sum by (http_route) (rate(http_server_request_duration_seconds_count{job="$job"}[$__rate_interval]))
          legend: '{{http_route}}'

Examples:
  yardstick dashboard --config contracts/dashboard.yaml --out contracts/grafana-dashboard.json
  yardstick dashboard --config contracts/dashboard.yaml --out contracts/grafana-dashboard.json --check
`;

const SPEC = {
  config: { type: 'string' },
  out: { type: 'string' },
  check: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies FlagSpec;

const DashboardFlags = z.object({
  config: z.string({ error: 'required (the YAML config)' }).min(1),
  out: z.string({ error: 'required (the JSON file, or -)' }).min(1),
  check: z.boolean().default(false),
});

/** The dashboard JSON text for a config file, as `yardstick dashboard` writes it. */
export function renderDashboard(configFile: string): string {
  return `${JSON.stringify(buildDashboard(loadDashboardConfig(configFile)), null, 2)}\n`;
}

/** Runs `yardstick dashboard`; returns the exit code. */
export async function dashboardCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags('dashboard', argv, SPEC);
  if (values.help) {
    io.stdout.write(DASHBOARD_HELP);
    return 0;
  }
  const flags = validateFlags('dashboard', DashboardFlags, values);
  const json = renderDashboard(flags.config);
  if (flags.check) {
    // Compared as data, not text, so a formatter (biome) may re-indent the committed file.
    let current: unknown;
    try {
      current = JSON.parse(readFileSync(flags.out, 'utf8'));
    } catch {
      // a missing or unreadable file is simply out of date
    }
    if (isDeepStrictEqual(current, JSON.parse(json))) return 0;
    io.stderr.write(
      `${flags.out} is out of date with ${flags.config}; run yardstick dashboard without --check\n`,
    );
    return 1;
  }
  if (flags.out === '-') {
    io.stdout.write(json);
    return 0;
  }
  try {
    writeFileSync(flags.out, json);
  } catch (error) {
    throw new CliError(
      'OUTPUT_WRITE',
      `--out ${flags.out}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      {
        cause: error,
      },
    );
  }
  io.stderr.write(`wrote ${flags.out}\n`);
  return 0;
}
