/**
 * Docs that run: every shell command and code block of README.md and docs/*.md, and every example of the
 * CLI's `--help`, as written, against a live quickstart.
 *
 * - `sh`/`bash` blocks and `--help` examples run in bash from a scratch directory that holds the repository's
 *   `examples/`, `packages/` and a copy of `contracts/`, with `yardstick` on PATH. The addresses the docs use
 *   point at live processes: `127.0.0.1:9464`/`localhost:9464` (the telemetry server) and `:9090` (a
 *   Prometheus HTTP API) at the quickstart's telemetry server, `:9093` at an Alertmanager stand-in accepting
 *   alerts. Each must exit 0; `promql query` must print a result.
 * - A block that cannot run where the tests run says why in its info string: ```` ```sh no-run: <reason> ````.
 * - `ts` blocks are type-checked as modules against the packages, with the free names fragments use
 *   (`app`, `handler`, ...) declared in a prelude; a block that only shows a signature is a `text` block.
 * - `yaml` blocks holding a Prometheus configuration pass `promtool check config`.
 */
import { type ChildProcess, execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peer, tempDir } from './support/peers.ts';
import { startQuickstartProcess } from './support/quickstart-process.ts';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
const COMMAND_LANGS = new Set(['sh', 'bash', 'shell', 'console']);

interface Block {
  readonly source: string;
  readonly lang: string;
  readonly info: string;
  readonly code: string;
}

/** Fenced code blocks of a markdown file, with `file:line` of their opening fence. */
function blocksOf(file: string): Block[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
    blocks.push({ source: `${file}:${start + 1}`, lang: open[1]!, info: open[2]!, code: body.join('\n') });
  }
  return blocks;
}

const markdownFiles = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];
const blocks = markdownFiles.flatMap(blocksOf);
const commandBlocks = blocks.filter((block) => COMMAND_LANGS.has(block.lang));
const tsBlocks = blocks.filter((block) => block.lang === 'ts' || block.lang === 'typescript');
const yamlBlocks = blocks.filter(
  (block) => block.lang === 'yaml' && /^scrape_configs:|^global:/m.test(block.code),
);

/** The commands of `yardstick --help` and each verb's `--help`, under "Examples:", continuation lines joined. */
async function helpExamples(): Promise<{ source: string; code: string }[]> {
  const cli = join(root, 'packages/exporter-cli/bin/yardstick.js');
  const verbs = ['export', 'lint', 'promql', 'rules', 'alerts', 'dashboard', 'scrape-config'];
  const examples: { source: string; code: string }[] = [];
  for (const verb of ['', ...verbs]) {
    const args = verb === '' ? ['--help'] : [verb, '--help'];
    const { stdout } = await run(process.execPath, [cli, ...args]);
    const section = stdout.split(/^Examples:\n/m)[1];
    if (section === undefined) continue;
    const joined = section.replace(/\\\n\s*/g, '');
    for (const line of joined.split('\n')) {
      const command = line.trim();
      if (command === '' || !/^(yardstick|curl)\b/.test(command)) continue;
      examples.push({ source: `yardstick ${args.join(' ')}`, code: command });
    }
  }
  return examples;
}

/** An Alertmanager v2 stand-in: accepts alerts, so `alerts run --alertmanager` delivers. */
async function startAlertSink(): Promise<{ server: Server; host: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, host: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('docs that run', () => {
  let quickstart: { child: ChildProcess; host: string };
  let sink: Awaited<ReturnType<typeof startAlertSink>>;
  let scratch: { dir: string; cleanup: () => void };

  beforeAll(async () => {
    // sampling every 250 ms, so rates and `up` answer soon
    const started = await startQuickstartProcess({ YARDSTICK_COLLECT_INTERVAL: '250' });
    quickstart = { child: started.child, host: new URL(started.base).host };
    sink = await startAlertSink();
    scratch = tempDir('yardstick-docs-');
    symlinkSync(join(root, 'examples'), join(scratch.dir, 'examples'));
    symlinkSync(join(root, 'packages'), join(scratch.dir, 'packages'));
    cpSync(join(root, 'contracts'), join(scratch.dir, 'contracts'), { recursive: true });
    // the store needs two samples before rates and `up` answer
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const answer = await fetch(`http://${quickstart.host}/api/v1/query?query=count(up)`).then((r) =>
        r.json(),
      );
      if ((answer as { data?: { result?: unknown[] } }).data?.result?.length) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 90_000);

  afterAll(async () => {
    quickstart?.child.kill('SIGKILL');
    await new Promise<void>((r) => (sink ? sink.server.close(() => r()) : r()));
    scratch?.cleanup();
  });

  /** Runs `code` in bash from the scratch directory with the docs' addresses pointed at live processes. */
  async function runCommand(code: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const live = code
      .replace(/(127\.0\.0\.1|localhost):9464/g, quickstart.host)
      .replace(/(127\.0\.0\.1|localhost|prometheus):9090/g, quickstart.host)
      .replace(/(127\.0\.0\.1|localhost|alertmanager):9093/g, sink.host);
    const path = [join(root, 'node_modules/.bin'), dirname(process.execPath), process.env.PATH].join(':');
    try {
      const { stdout, stderr } = await run('bash', ['-e', '-o', 'pipefail', '-c', live], {
        cwd: scratch.dir,
        env: { ...process.env, PATH: path },
        timeout: 120_000,
        maxBuffer: 64 * 1024 * 1024,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  it('finds the docs blocks to run', () => {
    expect(commandBlocks.length).toBeGreaterThan(2);
    expect(tsBlocks.length).toBeGreaterThan(8);
  });

  it.each(commandBlocks.map((block) => [block.source, block] as const))(
    'shell block %s runs as written (or says why it cannot)',
    async (_source, block) => {
      const noRun = /^no-run:\s*(.*)$/.exec(block.info);
      if (noRun) {
        expect(noRun[1]!.length, `${block.source}: no-run needs a reason`).toBeGreaterThan(10);
        return;
      }
      const result = await runCommand(block.code);
      expect({ source: block.source, code: result.code, stderr: result.stderr.slice(0, 2000) }).toMatchObject(
        {
          code: 0,
        },
      );
    },
    150_000,
  );

  it('every --help example runs as written against the live quickstart', async () => {
    const examples = await helpExamples();
    expect(examples.length).toBeGreaterThan(15);
    const failures: string[] = [];
    // independent commands (each line is whole), four at a time
    const results = new Map<(typeof examples)[number], Awaited<ReturnType<typeof runCommand>>>();
    const queue = [...examples];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
          results.set(next, await runCommand(next.code));
        }
      }),
    );
    for (const example of examples) {
      const result = results.get(example)!;
      if (result.code !== 0) {
        failures.push(
          `${example.source}: ${example.code}\n  exit ${result.code}: ${result.stderr.trim().slice(0, 600)}`,
        );
      } else if (/^yardstick promql query/.test(example.code) && result.stdout.trim() === '') {
        failures.push(`${example.source}: ${example.code}\n  printed nothing`);
      }
    }
    expect(failures).toEqual([]);
    expect(existsSync(join(scratch.dir, 'routes.csv'))).toBe(true);
    expect(readFileSync(join(scratch.dir, 'routes.csv'), 'utf8').split('\n').length).toBeGreaterThan(2);
  }, 300_000);

  it('every TypeScript block type-checks against the packages', async () => {
    const dir = join(root, 'test', `.docs-snippets-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    try {
      writeFileSync(join(dir, 'prelude.d.ts'), PRELUDE);
      const files = tsBlocks.map((block, i) => {
        const name = `snippet-${i}.ts`;
        writeFileSync(join(dir, name), `// ${block.source}\n${block.code}\nexport {};\n`);
        return { name, block };
      });
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          extends: '../tsconfig.json',
          include: ['*.ts'],
          compilerOptions: { noUnusedLocals: false },
        }),
      );
      const tsc = join(root, 'node_modules/.bin/tsc');
      const result = await run(tsc, ['-p', dir], { cwd: root, timeout: 120_000 }).then(
        () => '',
        (error: { stdout?: string }) => error.stdout ?? String(error),
      );
      // name each failing block by its markdown file and line
      const byFile = new Map(files.map((file) => [file.name, file.block.source]));
      const readable = result.replace(
        /test\/\.docs-snippets-\d+\/(snippet-\d+\.ts)\((\d+),(\d+)\)/g,
        (_m, name: string, line: string) => {
          return `${byFile.get(name)} +${Number(line) - 1}`;
        },
      );
      expect(readable).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  const promtool = peer('promtool');
  it
    .skipIf(promtool.skipReason !== undefined)
    .each(yamlBlocks.map((block) => [block.source, block] as const))(
    'Prometheus configuration %s passes promtool check config',
    async (_source, block) => {
      const file = join(scratch.dir, `prometheus-${block.source.replace(/\W/g, '_')}.yml`);
      writeFileSync(file, block.code);
      // password_file and rule files the block names need not exist here: promtool checks them too
      const result = await run(promtool.path!, ['check', 'config', '--syntax-only', file]).then(
        () => ({ ok: true, out: '' }),
        (error: { stdout?: string; stderr?: string }) => ({
          ok: false,
          out: `${error.stdout}${error.stderr}`,
        }),
      );
      expect(result).toEqual({ ok: true, out: '' });
    },
  );
});

/**
 * The free names the docs' fragments use, typed loosely: a fragment type-checks when its use of yardstick's
 * API is right; what these stand for is the reader's own (their express app, their request handler, ...).
 */
const PRELUDE = `
declare const telemetry: import('@yardstick/sdk').Telemetry;
declare const handler: import('node:http').RequestListener;
declare const listener: import('node:http').RequestListener;
declare const app: { use(...handlers: unknown[]): void; get(path: string, ...handlers: unknown[]): void };
declare const fastify: { register(plugin: unknown): Promise<void> };
declare const hono: { use(...handlers: unknown[]): void };
declare const logger: { info(object: unknown, message?: string): void };
declare const proxies: Array<{ down: boolean }> & { take(): Promise<{ down: boolean }> };
declare function fetchThrough(proxy: unknown): Promise<void>;
declare const client: { ping(): Promise<unknown> };
`;
