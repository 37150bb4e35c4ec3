/**
 * The built-in web UI on the telemetry server: the pages (`/`, `/graph`, `/alerts`, `/rules`, `/dashboards`,
 * `/status`)
 * answer the same document, whose script and stylesheet live under `/ui/` with content-hashed names. The
 * bundle is built at build time into the package's `dist/ui` (scripts/build-ui.ts) and read once at mount;
 * nothing is fetched from elsewhere, at build or at run time. Mounted beside `/api/v1`, so the same basic
 * auth, CIDR and exposure rules hold for it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acceptsGzip, type RequestHandler } from './metrics-handler.ts';
import type { TelemetryServer } from './telemetry-server.ts';

/** The paths that answer the UI's document; `/graph` is where an alert's `generatorURL` points. */
export const WEB_UI_PAGES: readonly string[] = ['/', '/graph', '/alerts', '/rules', '/dashboards', '/status'];

/** The prefix of the bundle's files. */
const ASSET_PREFIX = '/ui/';

/** The run-time dashboards (never a bundle file name: those carry a content hash). */
const DASHBOARDS_FILE = 'dashboards.json';

// src/server and dist/server are both two levels below the package root, where dist/ui is built.
const DEFAULT_UI_DIR = fileURLToPath(new URL('../../dist/ui/', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/**
 * Only this origin's script and styles; inline styles because CodeMirror and uPlot set element styles;
 * `connect-src 'self'` as the page talks to `/api/v1` only.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** A file of the bundle as served: its bytes raw and gzipped. */
interface WebUiFile {
  readonly contentType: string;
  readonly raw: Buffer;
  readonly gzip: Buffer | undefined;
}

/** Options of {@link createWebUiHandler}. */
export interface WebUiOptions {
  /** The built bundle (default the package's `dist/ui`). */
  readonly dir?: string | undefined;
  /** Told once when the bundle is missing, with the command that builds it. */
  readonly onMissing?: ((message: string) => void) | undefined;
  /** The run-time dashboards as JSON, served at `/ui/dashboards.json` (default none). */
  readonly dashboards?: (() => string) | undefined;
}

/** Reads the bundle: `index.html` and the hashed files beside it, or undefined when it is not built. */
function loadBundle(dir: string): Map<string, WebUiFile> | undefined {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  if (!names.includes('index.html')) return undefined;
  const files = new Map<string, WebUiFile>();
  for (const name of names) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType === undefined) continue;
    const gzipName = `${name}.gz`;
    files.set(name, {
      contentType,
      raw: readFileSync(join(dir, name)),
      gzip: names.includes(gzipName) ? readFileSync(join(dir, gzipName)) : undefined,
    });
  }
  return files;
}

function send(req: IncomingMessage, res: ServerResponse, file: WebUiFile, cacheControl: string): void {
  const compress = file.gzip !== undefined && acceptsGzip(req.headers['accept-encoding']);
  const body = compress ? file.gzip! : file.raw;
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': file.contentType,
    'content-length': body.length,
    'cache-control': cacheControl,
    vary: 'Accept-Encoding',
    ...(compress ? { 'content-encoding': 'gzip' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * The handler of the UI's pages and files. The document is `no-cache` (a new build must be picked up);
 * the hashed files never change, so browsers keep them a year. A missing bundle (sources run without a
 * build) answers 503 naming the command that builds it.
 */
export function createWebUiHandler(options: WebUiOptions = {}): RequestHandler {
  const dir = options.dir ?? DEFAULT_UI_DIR;
  const bundle = loadBundle(dir);
  const missing = `yardstick web UI is not built (no ${join(dir, 'index.html')}): run npm run build -w @yardstick/sdk`;
  if (bundle === undefined) options.onMissing?.(missing);
  return (req, res) => {
    if (bundle === undefined) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end(`${missing}\n`);
      return;
    }
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const name = path.startsWith(ASSET_PREFIX) ? path.slice(ASSET_PREFIX.length) : undefined;
    if (name === DASHBOARDS_FILE) {
      // Dashboards can be added while the page is open, so the browser asks again each time.
      const json = Buffer.from(options.dashboards?.() ?? '[]');
      send(
        req,
        res,
        { contentType: 'application/json; charset=utf-8', raw: json, gzip: undefined },
        'no-cache',
      );
      return;
    }
    const file =
      name === undefined ? bundle.get('index.html') : name === 'index.html' ? undefined : bundle.get(name);
    if (file === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    send(req, res, file, name === undefined ? 'no-cache' : 'public, max-age=31536000, immutable');
  };
}

/**
 * Mounts the UI's pages and files on the telemetry server (behind its basic auth and CIDR rules). Paths in
 * `reserved` keep what they serve: a `server.metricsPath` of `/` stays the exposition, not the UI.
 */
export function mountWebUi(
  server: Pick<TelemetryServer, 'mount'>,
  handler: RequestHandler,
  reserved: readonly string[] = [],
): void {
  const route = { methods: ['GET', 'HEAD'], handler };
  for (const page of WEB_UI_PAGES) if (!reserved.includes(page)) server.mount(page, route);
  server.mount(`${ASSET_PREFIX}*`, route);
}
