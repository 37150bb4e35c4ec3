/**
 * A fake Prometheus HTTP API on 127.0.0.1 for the package's tests: `/api/v1/query_range` answers with
 * generated series on the requested step grid (value = seconds since epoch / 60 + series index), and
 * `/api/v1/series` lists them. Requests are recorded so tests can see how the range was split.
 * Test support only: `src/testing/` is compiled with the package (as its tests are) but left out of the
 * published files and not exported.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running fake; `close` stops it. */
export interface FakePrometheus {
  readonly url: string;
  /** Every request's decoded form parameters, in arrival order. */
  readonly requests: URLSearchParams[];
  /** Authorization headers seen. */
  readonly authorizations: (string | undefined)[];
  /** Makes the next `n` query_range requests answer 503. */
  failNext(n: number): void;
  /** Delays every query_range answer by `ms` (0 = none; `Infinity` = never answer). */
  delay(ms: number): void;
  /** Most query_range requests seen in flight at once. */
  maxInFlight(): number;
  close(): Promise<void>;
}

/** The generated value of series `index` at `unixSeconds`. */
export function fakeValue(unixSeconds: number, index: number): number {
  return unixSeconds / 60 + index;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

/** Starts a fake serving `seriesLabels` (each must include `__name__`). */
export async function startFakePrometheus(
  seriesLabels: readonly Record<string, string>[],
): Promise<FakePrometheus> {
  const requests: URLSearchParams[] = [];
  const authorizations: (string | undefined)[] = [];
  let failures = 0;
  let delayMs = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const server: Server = createServer((req, res) => {
    void readForm(req).then(async (form) => {
      requests.push(form);
      authorizations.push(req.headers.authorization);
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/api/v1/series')) {
        res.end(JSON.stringify({ status: 'success', data: seriesLabels }));
        return;
      }
      if (failures > 0) {
        failures--;
        res.statusCode = 503;
        res.end('overloaded');
        return;
      }
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (delayMs === Number.POSITIVE_INFINITY) return;
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      inFlight--;
      const start = Number(form.get('start'));
      const end = Number(form.get('end'));
      const step = Number(form.get('step'));
      const query = form.get('query') ?? '';
      if ((end - start) / step > 11_000) {
        res.statusCode = 400;
        res.end(
          JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'exceeded maximum resolution' }),
        );
        return;
      }
      const result = seriesLabels.map((metric, index) => {
        const values: [number, string][] = [];
        for (let t = start; t <= end + 1e-9; t += step) values.push([t, String(fakeValue(t, index))]);
        return { metric: query.startsWith('sum') ? {} : metric, values };
      });
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    authorizations,
    failNext(n) {
      failures = n;
    },
    delay(ms) {
      delayMs = ms;
    },
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
