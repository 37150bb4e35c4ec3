/**
 * `yardstick scrape-config`: scrape configuration for a yardstick endpoint (Prometheus, vmagent, Kubernetes).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { type FlagSpec, parseFlags, validateFlags } from '../cli-args.ts';
import type { CliIo } from '../cli-io.ts';
import { CliError } from '../errors.ts';
import { parseDuration } from '../export/time.ts';
import {
  podMonitor,
  prometheusScrapeConfig,
  type ScrapeConfigFile,
  type ScrapeTarget,
  serviceMonitor,
  vmagentScrapeConfig,
} from '../scrape-config/scrape-configs.ts';

/** `yardstick scrape-config --help`. */
export const SCRAPE_CONFIG_HELP = `Usage: yardstick scrape-config --target HOST:PORT... [--job NAME] [--k8s | --vmagent] [--out-dir DIR]

Prints scrape configuration for a yardstick /metrics endpoint:
  (default)   a Prometheus prometheus.yml with a static scrape config
  --vmagent   a vmagent -promscrape.config file
  --k8s       a Prometheus Operator ServiceMonitor and PodMonitor (--target not needed)
  --out-dir   write all four examples into DIR instead of printing one

  --target HOST:PORT   endpoint to scrape (repeatable; yardstick's default is 127.0.0.1:9464)
  --job NAME           job name and app.kubernetes.io/name to select (default yardstick)
  --interval D         scrape interval (default 15s)
  --path P             metrics path (default /metrics)
  --namespace NS       Kubernetes namespace (default default)

Exit codes: 0 written, 1 a write failure, 2 bad usage.

Examples:
  yardstick scrape-config --target 127.0.0.1:9464 --job checkout > prometheus.yml
  yardstick scrape-config --k8s --job checkout --namespace shop > scrape-config.k8s.yaml
  yardstick scrape-config --target checkout:9464 --job checkout --out-dir contracts/scrape-configs
`;

const SPEC = {
  target: { type: 'string', multiple: true },
  job: { type: 'string' },
  k8s: { type: 'boolean' },
  vmagent: { type: 'boolean' },
  'out-dir': { type: 'string' },
  interval: { type: 'string' },
  path: { type: 'string' },
  namespace: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies FlagSpec;

const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[a-zA-Z0-9.-]+):\d{1,5}$/;

const ScrapeFlags = z
  .object({
    target: z.array(z.string().regex(HOST_PORT, 'must be host:port')).default([]),
    job: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be lower-case letters, digits and -')
      .default('yardstick'),
    k8s: z.boolean().default(false),
    vmagent: z.boolean().default(false),
    'out-dir': z.string().min(1).optional(),
    interval: z.string().default('15s'),
    path: z.string().startsWith('/', 'must start with /').default('/metrics'),
    namespace: z.string().min(1).default('default'),
  })
  .refine((f) => !(f.k8s && f.vmagent), { path: ['k8s'], message: 'choose one of --k8s and --vmagent' })
  .refine((f) => f.k8s || f.target.length > 0, {
    path: ['target'],
    message: 'required (e.g. --target 127.0.0.1:9464)',
  });

/** Runs `yardstick scrape-config`; returns the exit code. */
export async function scrapeConfigCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags('scrape-config', argv, SPEC);
  if (values.help) {
    io.stdout.write(SCRAPE_CONFIG_HELP);
    return 0;
  }
  const flags = validateFlags('scrape-config', ScrapeFlags, values);
  parseDuration(flags.interval, '--interval');
  const target: ScrapeTarget = {
    targets: flags.target,
    job: flags.job,
    interval: flags.interval,
    path: flags.path,
    namespace: flags.namespace,
  };
  if (flags['out-dir']) {
    const files: ScrapeConfigFile[] = [
      prometheusScrapeConfig(target),
      vmagentScrapeConfig(target),
      serviceMonitor(target),
      podMonitor(target),
    ];
    try {
      mkdirSync(flags['out-dir'], { recursive: true });
      for (const file of files) writeFileSync(join(flags['out-dir'], file.name), file.yaml);
    } catch (error) {
      throw new CliError('OUTPUT_WRITE', `--out-dir ${flags['out-dir']}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    io.stderr.write(`wrote ${files.map((f) => f.name).join(', ')} to ${flags['out-dir']}\n`);
    return 0;
  }
  if (flags.k8s) io.stdout.write(`${serviceMonitor(target).yaml}---\n${podMonitor(target).yaml}`);
  else if (flags.vmagent) io.stdout.write(vmagentScrapeConfig(target).yaml);
  else io.stdout.write(prometheusScrapeConfig(target).yaml);
  return 0;
}
