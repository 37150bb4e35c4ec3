/**
 * A real node:cluster for integration tests: test/fixtures/cluster/cluster-app.ts run with this Node and
 * the TypeScript sources, driven by commands on its stdin, telling its events as JSON lines on stdout; and
 * HTTP traffic for its workers' shared port. Every process listens on 127.0.0.1 only.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { type Agent, request } from 'node:http';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parseExposition, type Sample } from './exposition-samples.ts';
import { waitFor } from './wait-for.ts';

const app = join(import.meta.dirname, '..', 'fixtures', 'cluster', 'cluster-app.ts');

/** A started cluster app. */
export interface RunningCluster {
  /** The primary's telemetry server. */
  readonly url: string;
  /** Every JSON event written so far. */
  readonly events: Record<string, unknown>[];
  /** Writes one command line (see the fixture). */
  send(command: string): void;
  /** The primary's `/metrics`, parsed. */
  scrape(): Promise<Sample[]>;
  /** Ends the app (and its workers); SIGKILL after 5 s. */
  stop(): Promise<void>;
}

/** Starts the cluster app's primary with `env` over the test's environment; resolves once it listens. */
export async function startCluster(env: Record<string, string> = {}): Promise<RunningCluster> {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ['--conditions=yardstick-source', app],
    {
      env: {
        ...process.env,
        YARDSTICK_LOG_LEVEL: 'warn',
        YARDSTICK_CLUSTER_REPORT_INTERVAL: '100ms',
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const events: Record<string, unknown>[] = [];
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const lines = stdout.split('\n');
    stdout = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('{')) events.push(JSON.parse(line) as Record<string, unknown>);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const cluster: RunningCluster = {
    url: '',
    events,
    send: (command) => child.stdin.write(`${command}\n`),
    async scrape() {
      const response = await fetch(`${cluster.url}/metrics`);
      expect(response.status).toBe(200);
      return parseExposition(await response.text());
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin.write('exit\n');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
  const listening = await waitFor(
    'the cluster primary to listen',
    () => events.find((event) => event.event === 'listening'),
    { timeoutMs: 20_000 },
  ).catch(async (error: unknown) => {
    await cluster.stop();
    throw new Error(`${String(error)}; its stderr: ${stderr}`);
  });
  expect(listening.node).toBe(process.version);
  return Object.assign(cluster, { url: String(listening.url) });
}

/** The events named `name` once there are `count` of them. */
export function eventsNamed(
  cluster: RunningCluster,
  name: string,
  count: number,
  timeoutMs?: number,
): Promise<Record<string, unknown>[]> {
  return waitFor(
    `${count} '${name}' events`,
    () => {
      const found = cluster.events.filter((event) => event.event === name);
      return found.length >= count ? found : undefined;
    },
    // forking and starting workers takes a while on a busy 2-core machine
    { timeoutMs: timeoutMs ?? 45_000 },
  );
}

/** One GET of `path` over `agent`; resolves with the status and the body once it is read. */
export function get(agent: Agent, port: number, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.once('error', reject);
    });
    req.once('error', reject);
    // A request to a worker that died without its socket closing must fail (and be sent again), not hang.
    req.setTimeout(30_000, () => req.destroy(new Error(`no answer to GET ${path} within 30 s`)));
    req.end();
  });
}

/** What {@link drive} sent. */
export interface Traffic {
  /** Requests answered with 200. */
  acknowledged: number;
  /** Failed attempts sent again (a socket of a killed worker). */
  retried: number;
  /** Acknowledged requests by the body of the answer (the fixture's workers answer with their id). */
  readonly byWorker: Map<string, number>;
}

/**
 * Sends `total` requests for `path` over `agent` (as many at once as its `maxSockets`) and counts the 200s,
 * the acknowledged requests. A request that fails (a kept-alive socket of a killed worker, or a request in
 * flight when it died) was answered by no one and is sent again, at most 5 times. `onAcknowledged` runs
 * after each 200.
 */
export async function drive(
  agent: Agent,
  port: number,
  total: number,
  { path = '/', onAcknowledged }: { path?: string; onAcknowledged?: (traffic: Traffic) => void } = {},
): Promise<Traffic> {
  let remaining = total;
  const traffic: Traffic = { acknowledged: 0, retried: 0, byWorker: new Map() };
  const lane = async () => {
    while (remaining > 0) {
      remaining--;
      for (let attempt = 1; ; attempt++) {
        try {
          const { status, body } = await get(agent, port, path);
          if (status === 200) {
            traffic.acknowledged++;
            traffic.byWorker.set(body, (traffic.byWorker.get(body) ?? 0) + 1);
            onAcknowledged?.(traffic);
          }
          break;
        } catch (error) {
          if (attempt === 5) throw error;
          traffic.retried++;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: agent.maxSockets }, lane));
  return traffic;
}

/** The sum over series of `name` in `samples`, bucket by bucket when `le` is given. */
export function summed(samples: readonly Sample[], name: string, le?: number): number {
  const bound = (sample: Sample) =>
    sample.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(sample.labels.le);
  return samples
    .filter((sample) => sample.name === name && (le === undefined || bound(sample) === le))
    .reduce((sum, sample) => sum + sample.value, 0);
}
