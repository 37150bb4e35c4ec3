/**
 * FR-020 and the spec's 10k requests/s: chat completions through the gateway with its metrics on (the demo's
 * wiring: `nexus_*`, the GenAI metrics, the HTTP server and client kits, `/v1/stats`) and off (no-op GenAI
 * meter, nothing else), raced in the same run.
 *
 * Client, gateway and fake backend are separate processes, so the figure is the gateway's and not a
 * shared event loop's: the backend answers at once (no simulated latency, so throughput is not
 * concurrency / latency), the client keeps `IN_FLIGHT` requests in flight over keep-alive sockets. Each
 * round runs both gateways, alternating which goes first; the figures are medians over rounds. Every
 * process's CPU time (from /proc) is reported per round, so the bottleneck is shown with numbers: on a
 * shared 2-core machine the client and the backend use CPU the gateway would otherwise get.
 *
 *   npx node --conditions=yardstick-source examples/llm-gateway/bench/chat-throughput.ts [--rounds 5]
 *
 * Writes examples/llm-gateway/bench/results/chat-throughput.json.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runChatLoad } from './chat-throughput-client.ts';
import { startBenchBackend, startBenchGateway } from './chat-throughput-processes.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) =>
  args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback;
const ROUNDS = option('--rounds', 5);
const CHATS_PER_RUN = option('--chats', 20_000);
const IN_FLIGHT = option('--in-flight', 128);
const SELF = fileURLToPath(import.meta.url);

/** Starts `role` in a child process and resolves with its first message. */
function start(...role: string[]): Promise<{ child: ChildProcess; first: Record<string, unknown> }> {
  const child = fork(SELF, ['--role', ...role], { execArgv: process.execArgv, stdio: 'inherit' });
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

async function main(): Promise<void> {
  const backend = await start('backend');
  const url = backend.first.url as string;
  const gateways = {
    on: await start('gateway', url, 'on'),
    off: await start('gateway', url, 'off'),
  };
  const client = await start('client');
  const run = (port: number, chats: number) =>
    new Promise<{ rps: number; failed: number }>((resolve) => {
      client.child.once('message', (result) => resolve(result as { rps: number; failed: number }));
      client.child.send({ port, chats, inFlight: IN_FLIGHT });
    });

  const rounds: Array<Record<string, number>> = [];
  for (const mode of ['on', 'off'] as const) await run(gateways[mode].first.port as number, 2_000);
  for (let r = 0; r < ROUNDS; r++) {
    const row: Record<string, number> = {};
    for (const mode of r % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      const pids = {
        client: client.child.pid!,
        gateway: gateways[mode].child.pid!,
        backend: backend.child.pid!,
      };
      const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
      const started = performance.now();
      const { rps, failed } = await run(gateways[mode].first.port as number, CHATS_PER_RUN);
      const wall = (performance.now() - started) / 1000;
      if (failed > 0) throw new Error(`${failed} chats failed through the gateway with metrics ${mode}`);
      row[`${mode}_rps`] = rps;
      // Cores each process kept busy during the run (1 = one core all the time).
      for (const [k, pid] of Object.entries(pids))
        row[`${mode}_${k}_cores`] = (cpuSeconds(pid) - before[k]!) / wall;
      row[`${mode}_load1`] = loadavg()[0]!;
    }
    rounds.push(row);
    console.error(
      `round ${r + 1}/${ROUNDS}: ${JSON.stringify(row, (_k, v) => (typeof v === 'number' ? round3(v) : v))}`,
    );
  }

  const med = (key: string) => round3(median(rounds.map((row) => row[key]!)));
  const cores = (mode: string) => ({
    client: med(`${mode}_client_cores`),
    gateway: med(`${mode}_gateway_cores`),
    backend: med(`${mode}_backend_cores`),
  });
  const perChat = (mode: string, k: string) =>
    round3(median(rounds.map((row) => (row[`${mode}_${k}_cores`]! / row[`${mode}_rps`]!) * 1000)));
  const cpuPerChat = (mode: string) => ({
    client: perChat(mode, 'client'),
    gateway: perChat(mode, 'gateway'),
    backend: perChat(mode, 'backend'),
  });
  const results = {
    benchmark: 'chat-throughput',
    command: `npx node --conditions=yardstick-source examples/llm-gateway/bench/chat-throughput.ts --rounds ${ROUNDS} --chats ${CHATS_PER_RUN} --in-flight ${IN_FLIGHT}`,
    node: process.version,
    cpus: cpus().length,
    loadAverage1mMedian: med('on_load1'),
    loadAverageAtEnd: loadavg().map(round3),
    setup:
      'client, gateway and fake backend (answering at once) in separate processes; keep-alive; gateway routes gpt-4o-mini to 2 backends',
    chatsPerSecond: {
      metricsOn: Math.round(med('on_rps')),
      metricsOff: Math.round(med('off_rps')),
      onOverOff: round3(median(rounds.map((row) => row.on_rps! / row.off_rps!))),
      inFlight: IN_FLIGHT,
      chatsPerRun: CHATS_PER_RUN,
      target: 10_000,
    },
    // Cores each process kept busy (median over rounds); with 2 cores, the gateway gets what the rest leave.
    coresBusy: { metricsOn: cores('on'), metricsOff: cores('off') },
    // CPU time each process spends per chat: what a chat costs wherever the cores come from.
    cpuMsPerChat: { metricsOn: cpuPerChat('on'), metricsOff: cpuPerChat('off') },
    // Chats/s one core given to the gateway alone would carry (1000 / its CPU ms per chat).
    gatewayChatsPerCore: {
      metricsOn: Math.round(1000 / cpuPerChat('on').gateway),
      metricsOff: Math.round(1000 / cpuPerChat('off').gateway),
    },
    rounds: rounds.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, round3(v)]))),
  };
  writeFileSync(
    fileURLToPath(new URL('./results/chat-throughput.json', import.meta.url)),
    `${JSON.stringify(results, null, 2)}\n`,
  );
  console.log(JSON.stringify({ ...results, rounds: undefined }, null, 2));
  for (const { child } of [client, gateways.on, gateways.off, backend]) child.disconnect();
}

// A child: start its role, tell the parent where it listens, then serve requests from the parent.
if (args[0] === '--role') {
  const role = args[1];
  const send = (message: unknown) => process.send?.(message);
  if (role === 'backend') send(await startBenchBackend());
  else if (role === 'gateway') send(await startBenchGateway(args[2]!, args[3] === 'on'));
  else if (role === 'client') {
    send({ ready: true });
    process.on('message', async (job: { port: number; chats: number; inFlight: number }) => {
      send(await runChatLoad(job.port, job.chats, job.inFlight));
    });
  }
  process.on('disconnect', () => process.exit(0));
} else {
  await main();
}
