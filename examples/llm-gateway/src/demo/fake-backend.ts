/**
 * A stand-in for an OpenAI-compatible server, for the demo and the tests: answers
 * `POST /v1/chat/completions` with a chat completion and `usage` token counts, or fails the ways real
 * backends fail (503, hanging past any timeout), and `GET /v1/models` (the health check) the same way.
 * Its behaviour can be changed while it runs.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * How the backend answers: normally, with 503, or not at all; `stall` holds chat requests (health checks
 * are answered) until the behaviour changes, then answers them as the new behaviour says.
 */
export type FakeBackendBehaviour = 'ok' | 'unavailable' | 'hang' | 'stall';

/** Options of {@link startFakeBackend}. */
export interface FakeBackendOptions {
  /** Shown in the answers (`system_fingerprint`), so a client sees who answered. */
  readonly name: string;
  readonly behaviour?: FakeBackendBehaviour;
  /** In `ok` behaviour, the share of requests answered with 503 anyway (0..1). Default 0. */
  readonly failureRate?: number;
  /** Answer delay range in ms. Default [0, 0]. */
  readonly latencyMs?: readonly [number, number];
}

/** A running fake backend. */
export interface FakeBackend {
  /** OpenAI-style base URL (`http://127.0.0.1:PORT/v1`). */
  readonly url: string;
  behaviour: FakeBackendBehaviour;
  /** Chat requests received so far. */
  readonly requests: number;
  /** Health checks (`GET /v1/models`) received so far. */
  readonly healthChecks: number;
  close(): Promise<void>;
}

/** A rough token count (about four characters a token), deterministic so tests can check sums. */
function countTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        resolve(undefined);
      }
    });
  });
}

/** Starts a fake backend on 127.0.0.1 and a free port. */
export async function startFakeBackend(options: FakeBackendOptions): Promise<FakeBackend> {
  let requests = 0;
  let healthChecks = 0;
  const held: Array<() => void> = [];
  const state = { behaviour: options.behaviour ?? 'ok' };
  const [minDelay, maxDelay] = options.latencyMs ?? [0, 0];
  const server = createServer(async (req, res) => {
    if (req.method === 'GET' && req.url === '/v1/models') {
      // The gateway's health check: answered as the behaviour says, not counted as a chat request.
      healthChecks++;
      if (state.behaviour === 'hang') return;
      const ok = state.behaviour === 'ok' || state.behaviour === 'stall';
      res
        .writeHead(ok ? 200 : 503, { 'content-type': 'application/json' })
        .end(ok ? JSON.stringify({ object: 'list', data: [] }) : '{"error":{"message":"unavailable"}}');
      return;
    }
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    requests++;
    const body = (await readJson(req)) as
      | { model?: string; messages?: Array<{ content?: unknown }> }
      | undefined;
    if (state.behaviour === 'stall') await new Promise<void>((release) => held.push(release));
    if (state.behaviour === 'hang') return; // never answers; close() cuts the connection
    // Without a latency range the answer goes out at once: a timer would hold it at least 1 ms.
    if (maxDelay > 0) {
      await new Promise((r) => setTimeout(r, minDelay + Math.random() * (maxDelay - minDelay)));
    }
    if (state.behaviour === 'unavailable' || Math.random() < (options.failureRate ?? 0)) {
      res
        .writeHead(503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: `${options.name} is overloaded`, type: 'server_error' } }));
      return;
    }
    const prompt = (body?.messages ?? [])
      .map((m) => (typeof m.content === 'string' ? m.content : ''))
      .join('\n');
    const reply = `Hello from ${options.name}: you sent ${body?.messages?.length ?? 0} message(s).`;
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: `chatcmpl-${requests}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body?.model ?? 'unknown',
        system_fingerprint: options.name,
        choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }],
        usage: {
          prompt_tokens: countTokens(prompt),
          completion_tokens: countTokens(reply),
          total_tokens: countTokens(prompt) + countTokens(reply),
        },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    get behaviour() {
      return state.behaviour;
    },
    set behaviour(value: FakeBackendBehaviour) {
      state.behaviour = value;
      if (value !== 'stall') for (const release of held.splice(0)) release();
    },
    get requests() {
      return requests;
    },
    get healthChecks() {
      return healthChecks;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
