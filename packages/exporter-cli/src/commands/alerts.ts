/**
 * `yardstick alerts run`: evaluates Prometheus-format (or threshold-form) rule files against any
 * Prometheus-compatible API and sends alerts to Alertmanager and/or webhooks. It wires
 * `@yardstick/alert-evaluator`'s pieces (rule loading, `RuleGroup`, HTTP datasource, notifiers); the rule
 * semantics are that package's.
 */
import {
  AlertEvaluatorError,
  AlertmanagerNotifier,
  type AlertSnapshot,
  createPrometheusHttpDatasource,
  formatRuleFileProblem,
  type Logger,
  loadRuleFiles,
  type Notifier,
  type RemoteAuth,
  RuleGroup,
  type RuleGroupDefinition,
  WebhookNotifier,
} from '@yardstick/alert-evaluator';
import { z } from 'zod';
import { type FlagSpec, parseFlags, validateFlags } from '../cli-args.ts';
import type { CliIo } from '../cli-io.ts';
import { CliError } from '../errors.ts';
import { parseDuration } from '../export/time.ts';

/** `yardstick alerts --help`. */
export const ALERTS_HELP = `Usage: yardstick alerts run --rules FILE... --source URL [--alertmanager URL]... [--webhook URL]...
                           [--once] [--interval D] [--external-url URL] [--channel NAME]...

Evaluates alerting and recording rules (Prometheus rule files, or the threshold form) against a
Prometheus-compatible API, with Prometheus's alert state machine (pending -> firing -> resolved, for,
keep_firing_for), and sends firing and resolved alerts to Alertmanager (v2 API) and/or webhooks.

  --rules FILE          rule file (repeatable); validated first, exit 2 with file:line on problems
  --source URL          Prometheus HTTP API to query (Prometheus, VictoriaMetrics, yardstick's /api/v1)
  --alertmanager URL    Alertmanager base URL (repeatable)
  --webhook URL         webhook receiving Alertmanager-style JSON (repeatable)
  --once                evaluate every group once, send, print the alerts and exit
  --interval D          evaluation interval of groups that set none (default 1m)
  --external-url URL    prefix of the alerts' generatorURL
  --channel NAME        notification channel names threshold rules may use (repeatable)
  --basic-auth U:P, --bearer-token T   credentials for --source (or env YARDSTICK_SOURCE_*)

With --once, alerts that could not be delivered (Alertmanager or a webhook unreachable, or answering
with an error) are reported as one line naming the URL and the answer, and the exit code is 1.
Without --once it runs until SIGINT/SIGTERM, then finishes the evaluation in progress and flushes;
failed deliveries are retried with backoff (5xx, 429, network errors) and reported on stderr.
Exit codes: 0 done, 1 a source or notifier failure with --once, 2 bad usage or invalid rules.

Examples:
  yardstick alerts run --rules examples/proxy-rotation/rules/proxies.rules.yml --source http://127.0.0.1:9464 --once
  yardstick alerts run --rules examples/*/rules/*.rules.yml --source http://127.0.0.1:9090 \\
    --alertmanager http://127.0.0.1:9093 --once
`;

const SPEC = {
  rules: { type: 'string', multiple: true },
  source: { type: 'string' },
  alertmanager: { type: 'string', multiple: true },
  webhook: { type: 'string', multiple: true },
  once: { type: 'boolean' },
  interval: { type: 'string' },
  'external-url': { type: 'string' },
  channel: { type: 'string', multiple: true },
  'basic-auth': { type: 'string' },
  'bearer-token': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies FlagSpec;

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const AlertsFlags = z.object({
  rules: z.array(z.string().min(1)).min(1, 'give at least one --rules FILE'),
  source: httpUrl,
  alertmanager: z.array(httpUrl).default([]),
  webhook: z.array(httpUrl).default([]),
  once: z.boolean().default(false),
  interval: z.string().default('1m'),
  'external-url': httpUrl.optional(),
  channel: z.array(z.string().min(1)).default([]),
  'basic-auth': z
    .string()
    .regex(/^[^:]+:/, 'must be user:password')
    .optional(),
  'bearer-token': z.string().min(1).optional(),
});

function remoteAuth(flags: z.infer<typeof AlertsFlags>, env: CliIo['env']): RemoteAuth | undefined {
  const bearer = flags['bearer-token'] ?? env.YARDSTICK_SOURCE_BEARER_TOKEN;
  if (bearer) return { type: 'bearer', token: bearer };
  const basic = flags['basic-auth'] ?? env.YARDSTICK_SOURCE_BASIC_AUTH;
  const colon = basic?.indexOf(':') ?? -1;
  if (basic && colon > 0)
    return { type: 'basic', username: basic.slice(0, colon), password: basic.slice(colon + 1) };
  return undefined;
}

/**
 * Delivery problems of the running command (a notifier's retries, a full queue) as `yardstick: channel:
 * message: error` lines, like every other message of the CLI.
 */
function stderrLogger(io: CliIo): Logger {
  const write = (obj: object, msg?: string): void => {
    const { channel, err } = obj as { channel?: string; err?: string };
    io.stderr.write(
      `yardstick: ${channel ?? 'alerts'}: ${msg ?? 'delivery problem'}${err ? `: ${err}` : ''}\n`,
    );
  };
  return { debug() {}, info() {}, warn: write, error: write };
}

/** `n alert(s)`. */
function alertCount(n: number): string {
  return `${n} alert${n === 1 ? '' : 's'}`;
}

/** `state alertname {labels} value`, one alert per line. */
function formatAlert(alert: AlertSnapshot): string {
  const labels = Object.keys(alert.labels)
    .filter((k) => k !== 'alertname')
    .sort()
    .map((k) => `${k}=${JSON.stringify(alert.labels[k])}`)
    .join(', ');
  return `${alert.state} ${alert.rule} {${labels}} ${alert.value}`;
}

async function loadGroups(
  files: readonly string[],
  channels: readonly string[],
): Promise<RuleGroupDefinition[]> {
  try {
    return await loadRuleFiles(files, { channels });
  } catch (error) {
    if (error instanceof AlertEvaluatorError && error.problems.length > 0) {
      const first = formatRuleFileProblem(error.problems[0]!);
      const more = error.problems.length > 1 ? ` (and ${error.problems.length - 1} more problems)` : '';
      throw new CliError('INVALID_CONFIG', `${first}${more}`, { cause: error });
    }
    throw new CliError('INVALID_CONFIG', `--rules: ${(error as Error).message}`, { cause: error });
  }
}

/** Runs `yardstick alerts <sub-verb>`; returns the exit code. */
export async function alertsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.stdout.write(ALERTS_HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'run')
    throw new CliError('USAGE', `yardstick alerts: unknown sub-verb "${sub}" (expected run)`);
  const { values } = parseFlags('alerts run', rest, SPEC);
  if (values.help) {
    io.stdout.write(ALERTS_HELP);
    return 0;
  }
  const flags = validateFlags('alerts run', AlertsFlags, values);
  const intervalMs = parseDuration(flags.interval, '--interval');
  if (intervalMs <= 0) throw new CliError('INVALID_DURATION', '--interval: must be greater than 0');
  const definitions = await loadGroups(flags.rules, flags.channel);
  const notifiers: Notifier[] = [];
  const externalURL = flags['external-url'];
  // With --once the flush below reports what was not delivered, once; a running command reports each
  // failed attempt as it happens, since it retries in the background.
  const shared = {
    ...(externalURL ? { externalURL } : {}),
    ...(flags.once ? {} : { logger: stderrLogger(io) }),
  };
  if (flags.alertmanager.length > 0) {
    notifiers.push(new AlertmanagerNotifier({ urls: flags.alertmanager, ...shared }));
  }
  flags.webhook.forEach((url, i) => {
    notifiers.push(new WebhookNotifier({ name: `webhook-${i + 1}`, url, ...shared }));
  });
  const auth = remoteAuth(flags, io.env);
  const datasource = createPrometheusHttpDatasource({ url: flags.source, ...(auth ? { auth } : {}) });
  const deliveries: Promise<void>[] = [];
  let failures = 0;
  const groups: RuleGroup[] = definitions.map(
    (definition) =>
      new RuleGroup(definition, {
        datasource,
        defaultIntervalMs: intervalMs,
        ...(externalURL ? { externalURL } : {}),
        notify: (rule, alerts) => {
          for (const notifier of notifiers) {
            const delivery = notifier.notify(alerts, { expr: rule.definition.expr }).then(
              (result) => {
                if (result.ok) return;
                failures++;
                io.stderr.write(`yardstick: ${notifier.name}: ${result.error ?? 'delivery failed'}\n`);
              },
              (error: unknown) => {
                failures++;
                io.stderr.write(`yardstick: ${notifier.name}: ${(error as Error).message}\n`);
              },
            );
            deliveries.push(delivery);
          }
        },
        observer: {
          ruleEvaluated: (_group, rule, _durationMs, ok) => {
            if (ok) return;
            failures++;
            const index = definition.rules.findIndex((r) => r.name === rule);
            const group = groups.find((g) => g.name === definition.name);
            const reason = index >= 0 ? group?.ruleHealth(index).lastError : undefined;
            io.stderr.write(`yardstick: rule ${rule}: ${reason ?? 'evaluation failed'}\n`);
          },
        },
      }),
  );
  try {
    if (flags.once) {
      const now = io.now();
      for (const group of groups) await group.evaluate(now);
      await Promise.all(deliveries);
      for (const notifier of notifiers) {
        const flushed = await notifier.flush?.();
        if (flushed === undefined || flushed.ok) continue;
        failures++;
        io.stderr.write(
          `yardstick: ${notifier.name}: ${alertCount(flushed.undelivered)} not delivered: ${flushed.error ?? 'delivery failed'}\n`,
        );
      }
      for (const group of groups)
        for (const alert of group.alerts()) io.stdout.write(`${formatAlert(alert)}\n`);
      const count = groups.reduce((n, g) => n + g.alerts().length, 0);
      const rules = definitions.reduce((n, d) => n + d.rules.length, 0);
      io.stderr.write(`evaluated ${rules} rules in ${groups.length} groups: ${count} active alerts\n`);
      return failures > 0 ? 1 : 0;
    }
    for (const group of groups) group.start();
    io.stderr.write(
      `evaluating ${groups.length} rule groups against ${new URL(flags.source).origin}; Ctrl-C stops\n`,
    );
    await new Promise<void>((resolve) => {
      if (io.signal?.aborted) {
        resolve();
        return;
      }
      // The evaluator's timers are unref'd (a library never keeps a process alive by itself), so the CLI
      // holds the event loop open until SIGINT/SIGTERM; without it the process ended before the first
      // evaluation.
      const keepAlive = setInterval(() => {}, 1 << 30);
      io.signal?.addEventListener(
        'abort',
        () => {
          clearInterval(keepAlive);
          resolve();
        },
        { once: true },
      );
    });
    return 0;
  } finally {
    await Promise.all(groups.map((g) => g.stop()));
    await Promise.all(deliveries);
    await Promise.all(notifiers.map((n) => n.close?.()));
  }
}
