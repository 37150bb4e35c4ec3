/**
 * docs/migrating-from-prom-client.md runs as written: every yardstick block (` ```ts `) type-checks against
 * the packages and, unless its info string says `no-run: <reason>`, runs to exit 0 as a program of its own
 * (its asserts state what `/metrics` shows). prom-client blocks are tagged ` ```js prom-client ` and only
 * shown; no other code block may appear, so the two kinds can always be told apart.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
const DOC = 'docs/migrating-from-prom-client.md';

interface Block {
  readonly source: string;
  readonly lang: string;
  readonly info: string;
  readonly code: string;
}

function blocksOf(file: string): Block[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i] as string);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !(lines[i] as string).startsWith('```'); i++) body.push(lines[i] as string);
    blocks.push({
      source: `${file}:${start + 1}`,
      lang: open[1] as string,
      info: open[2] as string,
      code: body.join('\n'),
    });
  }
  return blocks;
}

const blocks = blocksOf(DOC);
const tsBlocks = blocks.filter((block) => block.lang === 'ts');
const runnable = tsBlocks.filter((block) => !block.info.startsWith('no-run:'));
const dir = join(root, 'test', `.prom-client-migration-${process.pid}`);
const fileOf = (block: Block) => `snippet-${tsBlocks.indexOf(block)}.ts`;

describe(`${DOC} runs as written`, () => {
  beforeAll(() => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const block of tsBlocks)
      writeFileSync(join(dir, fileOf(block)), `// ${block.source}\n${block.code}\nexport {};\n`);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ extends: '../tsconfig.json', include: ['*.ts'] }),
    );
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('has a yardstick block for every concept, and every other block is a tagged prom-client one', () => {
    expect(tsBlocks.length).toBeGreaterThanOrEqual(12);
    const others = blocks.filter((block) => block.lang !== 'ts');
    expect(others.length).toBeGreaterThanOrEqual(10);
    for (const block of others)
      expect(`${block.source} ${block.lang} ${block.info}`).toMatch(/ js prom-client$/);
    for (const block of tsBlocks.filter((b) => b.info !== '')) {
      expect(block.info, block.source).toMatch(/^no-run: .{10,}/);
    }
  });

  it('type-checks every yardstick block', async () => {
    const tsc = join(root, 'node_modules/.bin/tsc');
    const output = await run(tsc, ['-p', dir], { cwd: root, timeout: 120_000 }).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    // Name each failing block by its line in the markdown file.
    const readable = output.replace(
      /\S*(snippet-\d+\.ts)\((\d+),(\d+)\)/g,
      (_m, name: string, line: string) => {
        const block = tsBlocks.find((b) => fileOf(b) === name);
        return `${block?.source} +${Number(line) - 1}`;
      },
    );
    expect(readable).toBe('');
  }, 180_000);

  it.each(runnable.map((block) => [block.source, block] as const))(
    'the block at %s runs to exit 0',
    async (_source, block) => {
      const result = await run(process.execPath, ['--conditions=yardstick-source', fileOf(block)], {
        cwd: dir,
        timeout: 60_000,
        env: { ...process.env, OTEL_EXPORTER_PROMETHEUS_PORT: '0', YARDSTICK_LOG_LEVEL: 'warn' },
      }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code?: number; stderr?: string }) => ({ code: error.code, stderr: error.stderr ?? '' }),
      );
      expect(result.code, `${block.source} failed:\n${result.stderr.slice(0, 3000)}`).toBe(0);
    },
    90_000,
  );
});
