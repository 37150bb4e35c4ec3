/**
 * FR-020 and the spec's 10k requests/s: chat completions through the gateway with its metrics on (the demo's
 * wiring: `nexus_*`, the GenAI metrics, the HTTP server and client kits, `/v1/stats`), off (no-op GenAI
 * meter, nothing else), and a bare node:http forwarding proxy (the floor of any node:http gateway), raced
 * in the same run.
 *
 * Client, gateways and backend are separate processes, so the figure is the gateway's and not a shared
 * event loop's. Client and backend are raw-socket HTTP/1.1 peers (raw-http-peers.ts) that cost little CPU:
 * the backend answers at once (no simulated latency, so throughput is not concurrency / latency), the
 * client keeps `--in-flight` requests in flight over keep-alive connections, spread over `--gateways`
 * processes per contender (replicas, as a deployment scales a Node service past one core). Each round
 * runs every contender, starting with a different one; the figures are medians over rounds. Every
 * process's CPU time (from /proc) is reported, so the bottleneck is shown with numbers.
 *
 *   npx node --conditions=yardstick-source examples/llm-gateway/bench/chat-throughput.ts \
 *     --rounds 9 --chats 30000 --gateways 2
 *
 * Writes examples/llm-gateway/bench/results/chat-throughput.json.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startBareProxy, startBenchGateway } from './chat-throughput-processes.ts';
import { runRawChatLoad, startRawBackend } from './raw-http-peers.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) =>
  args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback;
const ROUNDS = option('--rounds', 5);
const CHATS_PER_RUN = option('--chats', 20_000);
const IN_FLIGHT = option('--in-flight', 128);
const GATEWAYS = option('--gateways', 1);
const SELF = fileURLToPath(import.meta.url);

/**
 * V8 settings of the gateway processes, the same for every contender. With V8's defaults, `--trace-gc`
 * showed a gateway (of either contender, and an async/await version of the bare proxy) falling in some runs
 * into a regime where every young-generation GC ran as a scheduled task (`--minor-gc-task`, at 80% of the
 * young generation) and copied ~15 MB, promoting ~14 KB per chat that the next full GC freed: 500-950 ms
 * of GC per 42,000 chats against 90-150 ms in the other runs, though a heap snapshot under load held only
 * the chats in flight. With `--no-minor-gc-task` every run stayed at 60-160 ms; a 64 MB young generation
 * (`--max-semi-space-size`) alone made it rarer but not gone. `--v8-defaults` runs V8's defaults.
 */
const GATEWAY_V8_FLAGS = args.includes('--v8-defaults')
  ? []
  : ['--max-semi-space-size=64', '--no-minor-gc-task'];

/** Starts `role` in a child process and resolves with its first message. */
function start(...role: string[]): Promise<{ child: ChildProcess; first: Record<string, unknown> }> {
  const gateway = role[0] === 'gateway' || role[0] === 'bare';
  const execArgv = gateway ? [...process.execArgv, ...GATEWAY_V8_FLAGS] : process.execArgv;
  const child = fork(SELF, ['--role', ...role], { execArgv, stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', (first) => resolve({ child, first: first as Record<string, unknown> }));
    child.once('exit', (code) => reject(new Error(`bench ${role.join(' ')} exited with ${code}`)));
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc/PID/stat. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // After "pid (comm) ", utime and stime are the 12th and 13th fields, in clock ticks (100 a second).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const round3 = (n: number) => Math.round(n * 1000) / 1000;

type Mode = 'on' | 'off' | 'bare';
const MODES: readonly Mode[] = ['on', 'off', 'bare'];

async function main(): Promise<void> {
  const backend = await start('backend');
  const url = backend.first.url as string;
  const gateways: Record<Mode, Array<{ child: ChildProcess; first: Record<string, unknown> }>> = {
    on: [],
    off: [],
    bare: [],
  };
  for (const mode of MODES)
    for (let g = 0; g < GATEWAYS; g++)
      gateways[mode].push(await start(mode === 'bare' ? 'bare' : 'gateway', url, mode));
  const ports = (mode: Mode) => gateways[mode].map((g) => g.first.port as number);
  const client = await start('client');
  const run = (mode: Mode, chats: number) =>
    new Promise<{ rps: number; failed: number }>((resolve) => {
      client.child.once('message', (result) => resolve(result as { rps: number; failed: number }));
      client.child.send({ ports: ports(mode), chats, inFlight: IN_FLIGHT });
    });

  const rounds: Array<Record<string, number>> = [];
  // Warm-up: 2,000 chats left the first round 20-40% slower than the rest (code not yet optimised by V8).
  for (const mode of MODES) await run(mode, 10_000);
  for (let r = 0; r < ROUNDS; r++) {
    const row: Record<string, number> = {};
    // Each round starts with a different contender, so none always runs first or last.
    for (const mode of [...MODES.slice(r % MODES.length), ...MODES.slice(0, r % MODES.length)]) {
      const pids = {
        client: [client.child.pid!],
        gateway: gateways[mode].map((g) => g.child.pid!),
        backend: [backend.child.pid!],
      };
      const cpu = () =>
        Object.fromEntries(
          Object.entries(pids).map(([k, list]) => [k, list.reduce((sum, pid) => sum + cpuSeconds(pid), 0)]),
        );
      const before = cpu();
      const started = performance.now();
      const { rps, failed } = await run(mode, CHATS_PER_RUN);
      const wall = (performance.now() - started) / 1000;
      if (failed > 0) throw new Error(`${failed} chats failed through the ${mode} gateway`);
      const after = cpu();
      row[`${mode}_rps`] = rps;
      // Cores each role kept busy during the run (1 = one core all the time; gateways summed).
      for (const k of Object.keys(pids)) row[`${mode}_${k}_cores`] = (after[k]! - before[k]!) / wall;
      row[`${mode}_load1`] = loadavg()[0]!;
    }
    rounds.push(row);
    console.error(
      `round ${r + 1}/${ROUNDS}: ${JSON.stringify(row, (_k, v) => (typeof v === 'number' ? round3(v) : v))}`,
    );
  }

  const med = (key: string) => round3(median(rounds.map((row) => row[key]!)));
  const perMode = <T>(f: (mode: Mode) => T) =>
    ({ metricsOn: f('on'), metricsOff: f('off'), bareProxy: f('bare') }) as const;
  const cores = (mode: Mode) => ({
    client: med(`${mode}_client_cores`),
    gateway: med(`${mode}_gateway_cores`),
    backend: med(`${mode}_backend_cores`),
  });
  const perChat = (mode: Mode, k: string) =>
    round3(median(rounds.map((row) => (row[`${mode}_${k}_cores`]! / row[`${mode}_rps`]!) * 1000)));
  const cpuPerChat = (mode: Mode) => ({
    client: perChat(mode, 'client'),
    gateway: perChat(mode, 'gateway'),
    backend: perChat(mode, 'backend'),
  });
  const ratio = (a: Mode, b: Mode) =>
    round3(median(rounds.map((row) => row[`${a}_rps`]! / row[`${b}_rps`]!)));
  const results = {
    benchmark: 'chat-throughput',
    command: `npx node --conditions=yardstick-source examples/llm-gateway/bench/chat-throughput.ts --rounds ${ROUNDS} --chats ${CHATS_PER_RUN} --in-flight ${IN_FLIGHT} --gateways ${GATEWAYS}${GATEWAY_V8_FLAGS.length === 0 ? ' --v8-defaults' : ''}`,
    node: process.version,
    cpus: cpus().length,
    loadAverage1mMedian: med('on_load1'),
    loadAverageAtEnd: loadavg().map(round3),
    setup: `raw-socket client and backend (answering at once) in their own processes; ${GATEWAYS} gateway process(es) per contender, the client's ${IN_FLIGHT} keep-alive connections spread across them; gateway routes gpt-4o-mini to 2 backends; bareProxy = node:http forwarding with no gateway logic and no metrics; gateway processes run with ${GATEWAY_V8_FLAGS.length === 0 ? "V8's defaults" : GATEWAY_V8_FLAGS.join(' ')}`,
    chatsPerSecond: {
      ...perMode((mode) => Math.round(med(`${mode}_rps`))),
      onOverOff: ratio('on', 'off'),
      onOverBare: ratio('on', 'bare'),
      inFlight: IN_FLIGHT,
      chatsPerRun: CHATS_PER_RUN,
      gatewayProcesses: GATEWAYS,
      target: 10_000,
    },
    // Cores each role kept busy (median over rounds); on 2 cores, the gateways get what the rest leave.
    coresBusy: perMode(cores),
    // CPU time each role spends per chat: what a chat costs wherever the cores come from.
    cpuMsPerChat: perMode(cpuPerChat),
    // Chats/s one core given to the gateway alone would carry (1000 / its CPU ms per chat).
    gatewayChatsPerCore: perMode((mode) => Math.round(1000 / cpuPerChat(mode).gateway)),
    rounds: rounds.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, round3(v)]))),
  };
  writeFileSync(
    fileURLToPath(new URL('./results/chat-throughput.json', import.meta.url)),
    `${JSON.stringify(results, null, 2)}\n`,
  );
  console.log(JSON.stringify({ ...results, rounds: undefined }, null, 2));
  for (const { child } of [client, backend, ...MODES.flatMap((mode) => gateways[mode])]) child.disconnect();
}

// A child: start its role, tell the parent where it listens, then serve requests from the parent.
if (args[0] === '--role') {
  const role = args[1];
  const send = (message: unknown) => process.send?.(message);
  if (role === 'backend') send({ url: (await startRawBackend()).url });
  else if (role === 'gateway') send(await startBenchGateway(args[2]!, args[3] === 'on'));
  else if (role === 'bare') send(await startBareProxy(args[2]!));
  else if (role === 'client') {
    send({ ready: true });
    process.on('message', async (job: { ports: number[]; chats: number; inFlight: number }) => {
      send(await runRawChatLoad(job.ports, job.chats, job.inFlight));
    });
  }
  process.on('disconnect', () => process.exit(0));
} else {
  await main();
}
