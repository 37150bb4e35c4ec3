/**
 * Builds the web UI (packages/sdk/ui) into packages/sdk/dist/ui, which the package ships: one ES module
 * bundle and one stylesheet, minified by esbuild, named by content hash (so the server can let browsers
 * cache them for good), each also gzip-compressed beside it (`.gz`), plus index.html pointing at them.
 * Nothing is fetched at run time: CodeMirror, codemirror-promql and uPlot are bundled in.
 *
 * Run by the sdk's `build` script (and so by root `npm run build` and `npm start`) and by the test setup when
 * the sources are newer than the bundle.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { parse } from 'yaml';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const uiRoot = join(packageRoot, 'ui');

/**
 * The dashboards the UI renders natively: the same DashboardConfig files `yardstick dashboard` turns into
 * Grafana JSON, read at build time, so a service without Grafana still has their panels.
 */
const DASHBOARD_FILES = [join(packageRoot, '..', '..', 'contracts', 'dashboard.yaml')];

/** Where the UI is built by default, and where the telemetry server looks for it. */
export const UI_OUT_DIR = join(packageRoot, 'dist', 'ui');

/** The UI's whole size budget, gzipped, as the issue sets it. */
export const UI_GZIP_BUDGET_BYTES = 350 * 1024;

/** One built file: its name and its bytes as served (raw and gzip). */
export interface UiAsset {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

/** Every file the bundle is built from. */
function sourceFiles(): string[] {
  const src = join(uiRoot, 'src');
  return [
    join(uiRoot, 'index.html'),
    fileURLToPath(import.meta.url),
    ...DASHBOARD_FILES,
    ...readdirSync(src)
      .filter((name) => !name.endsWith('.test.ts'))
      .map((name) => join(src, name)),
  ];
}

/** Whether `outDir` holds a bundle at least as new as every source file. */
export function isUiBuildCurrent(outDir: string = UI_OUT_DIR): boolean {
  let built: number;
  try {
    built = statSync(join(outDir, 'index.html')).mtimeMs;
  } catch {
    return false;
  }
  return sourceFiles().every((file) => statSync(file).mtimeMs <= built);
}

/**
 * Builds the UI into `outDir` with the built-in dashboards and lists what it wrote (a service adds its own at
 * run time with `telemetry.addDashboard`). It builds into a directory of its own and renames it into place, so
 * a server or a concurrent build never sees half a bundle.
 */
export async function buildUi(outDir: string = UI_OUT_DIR): Promise<UiAsset[]> {
  const staging = `${outDir}.${process.pid}-${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  try {
    const result = await build({
      entryPoints: { app: join(uiRoot, 'src', 'main.ts') },
      entryNames: '[name]-[hash]',
      bundle: true,
      format: 'esm',
      target: ['chrome110', 'firefox115'],
      minify: true,
      legalComments: 'none',
      outdir: staging,
      metafile: true,
      define: {
        YARDSTICK_DASHBOARDS: JSON.stringify(
          DASHBOARD_FILES.map((file) => parse(readFileSync(file, 'utf8'))),
        ),
      },
      logLevel: 'warning',
    });
    const outputs = Object.keys(result.metafile.outputs).map((file) => basename(file));
    const script = outputs.find((file) => file.endsWith('.js'));
    const style = outputs.find((file) => file.endsWith('.css'));
    if (script === undefined || style === undefined) throw new Error(`esbuild wrote ${outputs.join(', ')}`);
    const html = readFileSync(join(uiRoot, 'index.html'), 'utf8')
      .replace('/ui/app.js', `/ui/${script}`)
      .replace('/ui/app.css', `/ui/${style}`);
    writeFileSync(join(staging, 'index.html'), html);
    const assets: UiAsset[] = [];
    for (const file of ['index.html', script, style]) {
      const raw = readFileSync(join(staging, file));
      const gzipped = gzipSync(raw, { level: 9 });
      writeFileSync(join(staging, `${file}.gz`), gzipped);
      assets.push({ file, bytes: raw.length, gzipBytes: gzipped.length });
    }
    rmSync(outDir, { recursive: true, force: true });
    try {
      renameSync(staging, outDir);
    } catch (error) {
      // Another build renamed its bundle into place first: the same sources, so keep that one.
      if (
        (error as NodeJS.ErrnoException).code !== 'ENOTEMPTY' &&
        (error as NodeJS.ErrnoException).code !== 'EEXIST'
      )
        throw error;
    }
    return assets;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const assets = await buildUi();
  const total = assets.reduce((sum, a) => sum + a.gzipBytes, 0);
  console.log(
    `web UI built into ${UI_OUT_DIR}: ${assets.map((a) => `${a.file} ${(a.gzipBytes / 1024).toFixed(1)} KB gz`).join(', ')}; total ${(total / 1024).toFixed(1)} KB gzipped (budget ${UI_GZIP_BUDGET_BYTES / 1024} KB)`,
  );
  if (total > UI_GZIP_BUDGET_BYTES) {
    console.error(`web UI: ${total} bytes gzipped is over the budget of ${UI_GZIP_BUDGET_BYTES}`);
    process.exit(1);
  }
}
