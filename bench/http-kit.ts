/**
 * The HTTP kit figures of the metrics-core issue: what the HTTP server kit (`telemetry.httpServerMetrics()`
 * from `startTelemetry()`, recording through the metrics core) costs per request.
 *
 * 1. Per request, without sockets: a request listener called with a fresh request and response per request
 *    (plain objects with the fields Node's `IncomingMessage`/`ServerResponse` have and the kit reads; the
 *    response is an EventEmitter that emits `finish` then `close`, as Node's does), in three contenders raced
 *    in rotating order in the same process:
 *    - `bare`: the app listener alone (the harness: objects, the listener, the two events);
 *    - `kit`: `kit.wrap(listener)`, with a `route` option so it records `http.route` as prom-client does
 *      (it also records `url.scheme` and `network.protocol.version`, and keeps `http.server.active_requests`);
 *    - `promClient`: prom-client's idiomatic hand-timed histogram, `const end = histogram.startTimer()` and
 *      `res.on('finish', () => end({ method, route, status_code }))`, the kit's 14 buckets.
 *    160 label sets (route x8, method x4, status x5). `net` is a contender's ns/request less `bare`'s in the
 *    same round; the ratio is kit net / prom-client net (median of the per-round ratios; target <= 1).
 * 2. Throughput: a hello-world `node:http` server on 127.0.0.1, bare and wrapped by the kit (default options,
 *    as a plain `node:http` app would use it), each in its own process, both up at once; a third process loads
 *    one of them at a time with a keep-alive client (`http.Agent({ keepAlive: true, maxSockets: 32 })`, 32
 *    requests in flight) and switches every 500 ms, so on a shared machine both meet the same neighbours'
 *    load; 1 s of warm-up, then 5 s per server counted by the client; each server also reports its own CPU
 *    time per request. The Agent client costs more CPU per response than the server spends per request, so
 *    the same is run with raw keep-alive sockets (`rawClient`, a response counted when its body arrives).
 *    Target: wrapped >= 0.90 x bare.
 * Every run of each part is its own process (the server and the client too); the reported figures are the
 * medians over runs.
 *
 *   npx node --conditions=yardstick-source --expose-gc bench/http-kit.ts [--runs 3] [--seconds 5]
 *
 * Writes bench/results/http-kit.json.
 */
import { type ChildProcess, fork, spawnSync } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { Agent, createServer, get, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { silentLogger, startTelemetry } from '@yardstick/sdk';
import { Histogram as PromHistogram, Registry as PromRegistry } from 'prom-client';

const args = process.argv.slice(2);
const argValue = (name: string, fallback: number): number =>
  args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback;
const RUNS = argValue('--runs', 3);
const SECONDS = argValue('--seconds', 5);
const WARMUP_MS = 1_000;
const IN_FLIGHT = 32;
const ROUNDS = 31;
const REQUESTS_PER_SAMPLE = 2_000;
const self = fileURLToPath(import.meta.url);

const ROUTES = ['/', '/login', '/users/:id', '/orders', '/orders/:id', '/cart', '/search', '/health'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const STATUSES = [200, 201, 204, 404, 500];
/** The buckets the kit uses for `http.server.request.duration` (the conventions' advice), for prom-client too. */
const KIT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

const TELEMETRY_OPTIONS = {
  env: {},
  configFile: false,
  server: { port: 0 },
  store: { enabled: false },
  metrics: { process: false },
  registerGlobal: false,
  logger: silentLogger,
} as const;

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// ---- 1. per request, without sockets -------------------------------------------------------------------

const PLAIN_SOCKET = { encrypted: false };

/** The fields of an `IncomingMessage` the kit and prom-client's middleware read. */
class FakeRequest {
  readonly httpVersion = '1.1';
  readonly socket = PLAIN_SOCKET;
  readonly headers = {};
  readonly method: string;
  readonly url: string;
  /** The template an app's router would have matched (what both contenders record as the route). */
  readonly route: string;
  /** The status the app answers with. */
  readonly status: number;
  constructor(method: string, url: string, route: string, status: number) {
    this.method = method;
    this.url = url;
    this.route = route;
    this.status = status;
  }
}

/** The fields of a `ServerResponse` the kit reads; `end()` of the app sets them as Node's does. */
class FakeResponse extends EventEmitter {
  statusCode = 200;
  headersSent = false;
  writableFinished = false;
  readonly req: FakeRequest;
  constructor(req: FakeRequest) {
    super();
    this.req = req;
  }
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

function app(req: IncomingMessage, res: ServerResponse): void {
  const response = res as unknown as FakeResponse;
  response.statusCode = (req as unknown as FakeRequest).status;
  response.headersSent = true;
  response.writableFinished = true;
}

function requestFor(i: number): FakeRequest {
  const route = ROUTES[i & 7]!;
  return new FakeRequest(METHODS[(i >> 3) & 3]!, route.replace(':id', String(i)), route, STATUSES[i % 5]!);
}

// One copy of the loop per contender: a loop shared by all three would see three listeners at its call site
// and go polymorphic, charging every contender for the others' presence.
function serveBare(listener: Listener, start: number, requests: number): number {
  const began = performance.now();
  for (let i = start; i < start + requests; i++) {
    const req = requestFor(i);
    const res = new FakeResponse(req);
    listener(req as unknown as IncomingMessage, res as unknown as ServerResponse);
    res.emit('finish');
    res.emit('close');
  }
  return ((performance.now() - began) * 1e6) / requests;
}
function serveKit(listener: Listener, start: number, requests: number): number {
  const began = performance.now();
  for (let i = start; i < start + requests; i++) {
    const req = requestFor(i);
    const res = new FakeResponse(req);
    listener(req as unknown as IncomingMessage, res as unknown as ServerResponse);
    res.emit('finish');
    res.emit('close');
  }
  return ((performance.now() - began) * 1e6) / requests;
}
function servePromClient(listener: Listener, start: number, requests: number): number {
  const began = performance.now();
  for (let i = start; i < start + requests; i++) {
    const req = requestFor(i);
    const res = new FakeResponse(req);
    listener(req as unknown as IncomingMessage, res as unknown as ServerResponse);
    res.emit('finish');
    res.emit('close');
  }
  return ((performance.now() - began) * 1e6) / requests;
}

const PER_REQUEST = ['bare', 'kit', 'promClient'] as const;
type PerRequestContender = (typeof PER_REQUEST)[number];

interface PerRequestRun {
  readonly nsPerRequest: Record<PerRequestContender, number>;
  readonly netNsPerRequest: { kit: number; promClient: number };
  /** Median of the per-round ratios kit net / prom-client net. */
  readonly kitOverPromClient: number;
  readonly recorded: { kit: number; promClient: number };
}

async function measurePerRequest(): Promise<PerRequestRun> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc: every sample starts after a full GC');
  const telemetry = await startTelemetry(TELEMETRY_OPTIONS);
  const kit = telemetry.httpServerMetrics({ route: (req) => (req as unknown as FakeRequest).route });
  const registry = new PromRegistry();
  const histogram = new PromHistogram({
    name: 'http_request_duration_seconds',
    help: 'Duration of HTTP requests.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: KIT_BUCKETS,
    registers: [registry],
  });
  const kitListener = kit.wrap(app);
  const promListener: Listener = (req, res) => {
    const end = histogram.startTimer();
    res.on('finish', () =>
      end({
        method: req.method,
        route: (req as unknown as FakeRequest).route,
        status_code: res.statusCode,
      }),
    );
    app(req, res);
  };
  const loops: Record<PerRequestContender, (start: number) => number> = {
    bare: (start) => serveBare(app, start, REQUESTS_PER_SAMPLE),
    kit: (start) => serveKit(kitListener, start, REQUESTS_PER_SAMPLE),
    promClient: (start) => servePromClient(promListener, start, REQUESTS_PER_SAMPLE),
  };
  // Warm-up: every loop optimized, every series created.
  for (let w = 0; w < 20; w++) for (const c of PER_REQUEST) loops[c](w * REQUESTS_PER_SAMPLE);
  const samples: Record<PerRequestContender, number[]> = { bare: [], kit: [], promClient: [] };
  const net = { kit: [] as number[], promClient: [] as number[] };
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const thisRound = { bare: 0, kit: 0, promClient: 0 };
    for (let k = 0; k < PER_REQUEST.length; k++) {
      const contender = PER_REQUEST[(r + k) % PER_REQUEST.length]!;
      gc();
      thisRound[contender] = loops[contender](r * REQUESTS_PER_SAMPLE);
    }
    for (const c of PER_REQUEST) samples[c].push(thisRound[c]);
    net.kit.push(thisRound.kit - thisRound.bare);
    net.promClient.push(thisRound.promClient - thisRound.bare);
    ratios.push((thisRound.kit - thisRound.bare) / (thisRound.promClient - thisRound.bare));
  }
  // What each recorded, so the figures are known to measure recording: requests over all series.
  const exposition = await registry.metrics();
  const promCount = [...exposition.matchAll(/^http_request_duration_seconds_count\{[^}]*\} (\d+)$/gm)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
  let text = '';
  for await (const chunk of await telemetry.prometheus.render('text')) text += chunk;
  const kitCount = [...text.matchAll(/^http_server_request_duration_seconds_count\{[^}]*\} (\d+)$/gm)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
  await telemetry.shutdown();
  return {
    nsPerRequest: {
      bare: median(samples.bare),
      kit: median(samples.kit),
      promClient: median(samples.promClient),
    },
    netNsPerRequest: { kit: median(net.kit), promClient: median(net.promClient) },
    kitOverPromClient: median(ratios),
    recorded: { kit: kitCount, promClient: promCount },
  };
}

// ---- 2. throughput over sockets ------------------------------------------------------------------------

type ServerMode = 'bare' | 'kit';
const MODES: readonly ServerMode[] = ['bare', 'kit'];
/** The client switches server every window: both see the same neighbours' load on a shared machine. */
const SWITCH_MS = 500;

/** Messages between the parent and the server/client processes. */
type ServerMessage = { type: 'ready'; port: number } | { type: 'window'; requests: number; cpuUs: number };
type ClientMessage =
  | { type: 'measuring' }
  | { type: 'done'; responses: Record<ServerMode, number>; ms: Record<ServerMode, number>; errors: number };

async function runServer(mode: ServerMode): Promise<void> {
  const hello = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('hello world');
  };
  let requests = 0;
  const counted =
    (listener: Listener): Listener =>
    (req, res) => {
      requests++;
      listener(req, res);
    };
  let listener: Listener = hello;
  if (mode === 'kit') {
    const telemetry = await startTelemetry(TELEMETRY_OPTIONS);
    listener = telemetry.httpServerMetrics().wrap(hello);
  }
  const server = createServer({ keepAliveTimeout: 60_000 }, counted(listener));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  let cpuAtStart = process.cpuUsage();
  process.on('message', (message: string) => {
    if (message === 'start') {
      requests = 0;
      cpuAtStart = process.cpuUsage();
    } else if (message === 'stop') {
      const cpu = process.cpuUsage(cpuAtStart);
      process.send?.({ type: 'window', requests, cpuUs: cpu.user + cpu.system } satisfies ServerMessage, () =>
        process.exit(0),
      );
    }
  });
  process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port } satisfies ServerMessage);
}

/** One connection pool of the load client: sends only while its server is the active one. */
interface Target {
  /** Starts `IN_FLIGHT` request loops (called when this server becomes the active one). */
  kick(): void;
  responses: number;
}

const RAW_REQUEST = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
const BODY = 'hello world';

/** Node's HTTP client: `http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT })`, `IN_FLIGHT` request loops. */
function agentTarget(
  port: number,
  isActive: () => boolean,
  counting: () => boolean,
  onError: () => void,
): Target {
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const target: Target = {
    responses: 0,
    kick() {
      for (let i = 0; i < IN_FLIGHT; i++) one();
    },
  };
  const one = () => {
    get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      res.resume();
      res.on('end', () => {
        if (counting()) target.responses++;
        if (isActive()) one();
      });
    }).on('error', () => {
      onError();
      if (isActive()) one();
    });
  };
  return target;
}

/**
 * The same load without Node's HTTP client: raw keep-alive sockets, one request in flight on each, a
 * response counted when its body arrives. The http.Agent client spends more CPU per response than the
 * server does per request, so on two cores it, not the server, tends to set the pace.
 */
function rawTarget(
  port: number,
  isActive: () => boolean,
  counting: () => boolean,
  onError: () => void,
): Target {
  const target: Target = {
    responses: 0,
    kick() {
      for (const socket of sockets) socket.write(RAW_REQUEST);
    },
  };
  const sockets = Array.from({ length: IN_FLIGHT }, () => {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    socket.setEncoding('latin1');
    // The tail of the previous chunk, so a body split across two chunks is still found.
    let tail = '';
    socket.on('data', (chunk: string) => {
      const text = tail + chunk;
      let found = 0;
      for (let at = text.indexOf(BODY); at !== -1; at = text.indexOf(BODY, at + BODY.length)) found++;
      tail = text.slice(-(BODY.length - 1));
      if (counting()) target.responses += found;
      if (isActive()) for (let i = 0; i < found; i++) socket.write(RAW_REQUEST);
    });
    socket.on('error', onError);
    return socket;
  });
  return target;
}

/**
 * Loads the two servers in turns of `SWITCH_MS` (a response is counted for the server that sent it; the
 * requests in flight at a switch finish on the old server, the same few for both): 1 s of warm-up, then
 * `SECONDS` per server.
 */
function runClient(kind: ClientKind, ports: Record<ServerMode, number>): void {
  let active: ServerMode = 'bare';
  let measuring = false;
  let errors = 0;
  const make = kind === 'agent' ? agentTarget : rawTarget;
  const targets = Object.fromEntries(
    MODES.map((mode) => [
      mode,
      make(
        ports[mode],
        () => active === mode,
        () => measuring,
        () => errors++,
      ),
    ]),
  ) as Record<ServerMode, Target>;
  const ms: Record<ServerMode, number> = { bare: 0, kit: 0 };
  let windowStart = performance.now();
  const switchTo = (mode: ServerMode) => {
    const now = performance.now();
    if (measuring) ms[active] += now - windowStart;
    windowStart = now;
    active = mode;
    targets[mode].kick();
  };
  switchTo('bare');
  const turns = setInterval(() => switchTo(active === 'bare' ? 'kit' : 'bare'), SWITCH_MS);
  setTimeout(() => {
    for (const mode of MODES) targets[mode].responses = 0;
    measuring = true;
    windowStart = performance.now();
    process.send?.({ type: 'measuring' } satisfies ClientMessage);
    setTimeout(
      () => {
        clearInterval(turns);
        ms[active] += performance.now() - windowStart;
        measuring = false;
        const responses = { bare: targets.bare.responses, kit: targets.kit.responses };
        process.send?.({ type: 'done', responses, ms, errors } satisfies ClientMessage, () =>
          process.exit(0),
        );
      },
      SECONDS * 2 * 1_000,
    );
  }, WARMUP_MS);
}

function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve(message as T));
    child.once('exit', (code) => reject(new Error(`child exited with ${code} before answering`)));
  });
}

interface ThroughputWindow {
  readonly requestsPerSecond: number;
  readonly serverCpuUsPerRequest: number;
  /** Share of one core the server used while it was the active one (1 = a whole core). */
  readonly serverCpuShare: number;
}

type ClientKind = 'agent' | 'raw';

async function measureThroughput(
  kind: ClientKind,
): Promise<Record<ServerMode, ThroughputWindow> & { ratio: number; errors: number }> {
  const servers = Object.fromEntries(
    MODES.map((mode) => [
      mode,
      fork(self, ['--server', mode], { execArgv: process.execArgv, stdio: 'inherit' }),
    ]),
  ) as Record<ServerMode, ChildProcess>;
  const ports = { bare: 0, kit: 0 };
  for (const mode of MODES) {
    const ready = await nextMessage<ServerMessage>(servers[mode]);
    if (ready.type !== 'ready') throw new Error('server did not start');
    ports[mode] = ready.port;
  }
  const client = fork(
    self,
    [
      '--client',
      kind,
      '--bare-port',
      String(ports.bare),
      '--kit-port',
      String(ports.kit),
      '--seconds',
      String(SECONDS),
    ],
    { execArgv: process.execArgv, stdio: 'inherit' },
  );
  await nextMessage<ClientMessage>(client);
  for (const mode of MODES) servers[mode].send('start');
  const done = await nextMessage<ClientMessage>(client);
  const windows: Partial<Record<ServerMode, ServerMessage>> = {};
  for (const mode of MODES) {
    servers[mode].send('stop');
    windows[mode] = await nextMessage<ServerMessage>(servers[mode]);
  }
  if (done.type !== 'done') throw new Error('unexpected client message');
  const figures = (mode: ServerMode): ThroughputWindow => {
    const window = windows[mode];
    if (window?.type !== 'window') throw new Error('unexpected server message');
    return {
      requestsPerSecond: Math.round((done.responses[mode] * 1_000) / done.ms[mode]),
      serverCpuUsPerRequest: round(window.cpuUs / window.requests),
      serverCpuShare: round(window.cpuUs / 1_000 / done.ms[mode]),
    };
  };
  const bare = figures('bare');
  const kit = figures('kit');
  return { bare, kit, ratio: round(kit.requestsPerSecond / bare.requestsPerSecond, 3), errors: done.errors };
}

// ---- orchestration -------------------------------------------------------------------------------------

if (args.includes('--per-request')) {
  process.stdout.write(`${JSON.stringify(await measurePerRequest())}\n`);
} else if (args.includes('--server')) {
  await runServer(args[args.indexOf('--server') + 1] as ServerMode);
} else if (args.includes('--client')) {
  runClient(args[args.indexOf('--client') + 1] as ClientKind, {
    bare: argValue('--bare-port', 0),
    kit: argValue('--kit-port', 0),
  });
} else {
  const loadAtStart = loadavg().map((l) => round(l));
  const perRequestRuns: PerRequestRun[] = [];
  for (let r = 0; r < RUNS; r++) {
    const child = spawnSync(process.execPath, [...process.execArgv, self, '--per-request'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (child.status !== 0) throw new Error(`per-request run ${r + 1} exited with ${child.status}`);
    const run = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as PerRequestRun;
    perRequestRuns.push(run);
    console.log(`per-request run ${r + 1}/${RUNS}: ${JSON.stringify(run)}`);
  }
  type ThroughputRun = Awaited<ReturnType<typeof measureThroughput>>;
  const throughputRuns: Record<ClientKind, ThroughputRun[]> = { agent: [], raw: [] };
  for (let r = 0; r < RUNS; r++) {
    for (const kind of ['agent', 'raw'] as const) {
      const run = await measureThroughput(kind);
      throughputRuns[kind].push(run);
      console.log(`throughput run ${r + 1}/${RUNS}, ${kind} client: ${JSON.stringify(run)}`);
    }
  }
  const loadAtEnd = loadavg().map((l) => round(l));

  const perRequest = {
    nsPerRequest: {
      bare: round(median(perRequestRuns.map((r) => r.nsPerRequest.bare)), 1),
      kit: round(median(perRequestRuns.map((r) => r.nsPerRequest.kit)), 1),
      promClient: round(median(perRequestRuns.map((r) => r.nsPerRequest.promClient)), 1),
    },
    netNsPerRequest: {
      kit: round(median(perRequestRuns.map((r) => r.netNsPerRequest.kit)), 1),
      promClient: round(median(perRequestRuns.map((r) => r.netNsPerRequest.promClient)), 1),
    },
    kitOverPromClient: round(median(perRequestRuns.map((r) => r.kitOverPromClient)), 3),
    runRatios: perRequestRuns.map((r) => round(r.kitOverPromClient, 3)),
    recordedInLastRun: perRequestRuns.at(-1)!.recorded,
  };
  const summarize = (runs: readonly ThroughputRun[]) => ({
    requestsPerSecond: {
      bare: median(runs.map((r) => r.bare.requestsPerSecond)),
      kit: median(runs.map((r) => r.kit.requestsPerSecond)),
    },
    serverCpuUsPerRequest: {
      bare: round(median(runs.map((r) => r.bare.serverCpuUsPerRequest))),
      kit: round(median(runs.map((r) => r.kit.serverCpuUsPerRequest))),
    },
    serverCpuShare: {
      bare: round(median(runs.map((r) => r.bare.serverCpuShare))),
      kit: round(median(runs.map((r) => r.kit.serverCpuShare))),
    },
    kitOverBare: round(median(runs.map((r) => r.ratio)), 3),
    runRatios: runs.map((r) => r.ratio),
    cpuPerRequestBareOverKit: round(
      median(runs.map((r) => r.bare.serverCpuUsPerRequest / r.kit.serverCpuUsPerRequest)),
      3,
    ),
    runs,
  });
  const throughput = {
    agentClient: summarize(throughputRuns.agent),
    rawClient: summarize(throughputRuns.raw),
  };
  const targets = [
    {
      figure: 'HTTP kit cost per request (net of the harness) over prom-client hand-timed histogram',
      target: '<= 1',
      value: perRequest.kitOverPromClient,
      met: perRequest.kitOverPromClient <= 1,
    },
    ...(['agentClient', 'rawClient'] as const).map((kind) => ({
      figure: `hello-world node:http requests/s wrapped by the kit over bare (${kind})`,
      target: '>= 0.90',
      value: throughput[kind].kitOverBare,
      met: throughput[kind].kitOverBare >= 0.9,
    })),
  ];
  console.log(
    JSON.stringify(
      {
        perRequest,
        agentClient: { ...throughput.agentClient, runs: undefined },
        rawClient: { ...throughput.rawClient, runs: undefined },
      },
      null,
      2,
    ),
  );
  for (const t of targets)
    console.log(`${t.met ? 'met    ' : 'MISSED '} ${t.figure}: ${t.value} (target ${t.target})`);
  writeFileSync(
    join(dirname(self), 'results', 'http-kit.json'),
    `${JSON.stringify(
      {
        benchmark: 'http-kit',
        command: `npx node --conditions=yardstick-source --expose-gc bench/http-kit.ts --runs ${RUNS} --seconds ${SECONDS}`,
        node: process.version,
        cpus: cpus().length,
        loadAverageAtStart: loadAtStart,
        loadAverageAtEnd: loadAtEnd,
        perRequestWorkload: `fresh fake request/response per request (finish then close emitted), 160 label sets; ${RUNS} runs (one process each) of ${ROUNDS} rounds x ${REQUESTS_PER_SAMPLE} requests per contender, rotating order, full GC before each sample; kit: telemetry.httpServerMetrics({ route }).wrap(listener) from startTelemetry; promClient: Histogram.startTimer() + res.on('finish', end({ method, route, status_code })), the kit's 14 buckets; net = ns/request - bare ns/request of the same round`,
        throughputWorkload: `hello-world node:http server on 127.0.0.1 (one process), bare or telemetry.httpServerMetrics().wrap(listener); client in a second process: http.Agent keepAlive, maxSockets ${IN_FLIGHT}, ${IN_FLIGHT} requests in flight, both servers up at once, the client loads one at a time and switches every ${SWITCH_MS} ms (${WARMUP_MS} ms warm-up, then ${SECONDS} s per server counted), so both meet the same neighbours' load; rawClient: the same with ${IN_FLIGHT} raw keep-alive sockets per server (no HTTP client parsing); serverCpuShare = server CPU time / its active time (1 = one core)`,
        perRequest,
        throughput,
        targets,
      },
      null,
      2,
    )}\n`,
  );
}
