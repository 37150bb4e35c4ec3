import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BackendRegistry } from './backend-registry.ts';
import { forwardChat } from './forward-chat.ts';
import type { Backend } from './gateway-config.ts';
import type { GatewayMetrics } from './gateway-metrics.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

/**
 * Attempt timeout of the tests whose backends all answer: generous, so a busy machine never turns an answer
 * into a timeout; a backend that is meant to time out gets its own short one.
 */
const ANSWERING_TIMEOUT_MS = 10_000;

/** A backend that answers with `listener`, counting the requests it got. */
async function backend(
  name: string,
  listener: RequestListener,
  attemptTimeoutMs?: number,
): Promise<Backend & { calls: () => number }> {
  let calls = 0;
  const server = createServer((req, res) => {
    calls++;
    req.resume();
    req.once('end', () => listener(req, res));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return { name, url, provider: 'openai', apiKey: undefined, attemptTimeoutMs, calls: () => calls };
}

const reply =
  (status: number, body: string): RequestListener =>
  (_req, res) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);

/** Metrics that remember what was recorded, in order. */
function recordingMetrics() {
  const events: string[] = [];
  const metrics: GatewayMetrics = {
    attempt: (model, b, _s, outcome) =>
      events.push(
        'errorType' in outcome
          ? `attempt ${model} ${b.name} ${outcome.errorType}`
          : `attempt ${model} ${b.name} ok in=${outcome.usage.input} out=${outcome.usage.output}`,
      ),
    fallback: (model, from, to, errorType) =>
      events.push(`fallback ${model} ${from.name}->${to.name} ${errorType}`),
    request: () => undefined,
  };
  return { metrics, events };
}

const ANSWER = JSON.stringify({ choices: [], usage: { prompt_tokens: 7, completion_tokens: 3 } });
const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });

describe('forwardChat', () => {
  it('moves on past a 429 and an unreadable 200, recording each attempt and fallback', async () => {
    const limited = await backend('limited', reply(429, '{"error":{}}'));
    const garbled = await backend('garbled', reply(200, '<html>oops</html>'));
    const good = await backend('good', reply(200, ANSWER));
    const { metrics, events } = recordingMetrics();
    const outcome = await forwardChat({
      model: 'm',
      route: [limited, garbled, good],
      body,
      attemptTimeoutMs: ANSWERING_TIMEOUT_MS,
      metrics,
      signal: new AbortController().signal,
    });
    expect(outcome).toMatchObject({ kind: 'answered', status: 200, errorType: undefined });
    expect(outcome.kind === 'answered' && outcome.backend.name).toBe('good');
    expect(events).toEqual([
      'attempt m limited 429',
      'fallback m limited->garbled 429',
      'attempt m garbled invalid_response',
      'fallback m garbled->good invalid_response',
      'attempt m good ok in=7 out=3',
    ]);
  });

  it('follows no redirect and moves on past a backend that cuts its answer short, reusing connections', async () => {
    const moved = await backend('moved', (_req, res) =>
      res.writeHead(307, { location: 'http://127.0.0.1:1/v1/chat/completions' }).end(),
    );
    const cut = await backend('cut', (_req, res) => {
      // Promises 1000 bytes, sends 10, then drops the connection.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"choices"', () => res.socket?.destroy());
    });
    const sockets = new Set<unknown>();
    const good = await backend('good', (req, res) => {
      sockets.add(req.socket);
      reply(200, ANSWER)(req, res);
    });
    const { metrics, events } = recordingMetrics();
    for (let i = 0; i < 2; i++) {
      const outcome = await forwardChat({
        model: 'm',
        route: i === 0 ? [moved, cut, good] : [good],
        body,
        attemptTimeoutMs: ANSWERING_TIMEOUT_MS,
        metrics,
        signal: new AbortController().signal,
      });
      expect(outcome.kind === 'answered' && outcome.backend.name).toBe('good');
    }
    expect(events.slice(0, 4)).toEqual([
      'attempt m moved 307',
      'fallback m moved->cut 307',
      'attempt m cut ECONNRESET',
      'fallback m cut->good ECONNRESET',
    ]);
    // Both chats to `good` went over one kept-alive connection.
    expect(sockets.size).toBe(1);
  });

  it('returns a client error to the client unchanged and tries no other backend', async () => {
    const strict = await backend('strict', reply(400, '{"error":{"message":"bad temperature"}}'));
    const spare = await backend('spare', reply(200, ANSWER));
    const { metrics, events } = recordingMetrics();
    const outcome = await forwardChat({
      model: 'm',
      route: [strict, spare],
      body,
      attemptTimeoutMs: ANSWERING_TIMEOUT_MS,
      metrics,
      signal: new AbortController().signal,
    });
    expect(outcome).toMatchObject({
      kind: 'answered',
      status: 400,
      errorType: '400',
      body: { error: { message: 'bad temperature' } },
    });
    expect(spare.calls()).toBe(0);
    expect(events).toEqual(['attempt m strict 400']);
  });

  it('reports every failure in route order when no backend answers, and no fallback after the last', async () => {
    const down = await backend('down', reply(503, ''));
    // Only the backend that never answers has a short timeout: the 503 must not become a timeout on a busy
    // machine.
    const slow = await backend('slow', () => undefined, 200);
    const { metrics, events } = recordingMetrics();
    const outcome = await forwardChat({
      model: 'm',
      route: [down, slow],
      body,
      attemptTimeoutMs: ANSWERING_TIMEOUT_MS,
      metrics,
      signal: new AbortController().signal,
    });
    expect(outcome).toEqual({
      kind: 'failed',
      failures: [
        { backend: 'down', errorType: '503' },
        { backend: 'slow', errorType: 'timeout' },
      ],
      skipped: 0,
    });
    expect(events).toEqual(['attempt m down 503', 'fallback m down->slow 503', 'attempt m slow timeout']);
  });

  it('stops at once when the client goes away, without trying the next backend', async () => {
    const slow = await backend('slow', () => undefined);
    const spare = await backend('spare', reply(200, ANSWER));
    const { metrics, events } = recordingMetrics();
    const client = new AbortController();
    setTimeout(() => client.abort(), 50);
    const outcome = await forwardChat({
      model: 'm',
      route: [slow, spare],
      body,
      attemptTimeoutMs: ANSWERING_TIMEOUT_MS,
      metrics,
      signal: client.signal,
    });
    expect(outcome).toEqual({ kind: 'cancelled' });
    expect(spare.calls()).toBe(0);
    expect(events).toEqual(['attempt m slow cancelled']);
  });

  it('records no token counts a backend did not report as whole numbers', async () => {
    const odd = await backend(
      'odd',
      reply(200, JSON.stringify({ usage: { prompt_tokens: 2.5, completion_tokens: 4 } })),
    );
    const { metrics, events } = recordingMetrics();
    await forwardChat({
      model: 'm',
      route: [odd],
      body,
      attemptTimeoutMs: ANSWERING_TIMEOUT_MS,
      metrics,
      signal: new AbortController().signal,
    });
    expect(events).toEqual(['attempt m odd ok in=undefined out=4']);
  });

  it('skips a backend known to be unhealthy and counts the attempt in flight while it runs', async () => {
    let registry: BackendRegistry | undefined;
    let inFlightDuringAttempt = -1;
    const sick = await backend('sick', reply(200, ANSWER));
    const good = await backend('good', (_req, res) => {
      inFlightDuringAttempt = registry!.inFlight('good');
      reply(200, ANSWER)(_req, res);
    });
    registry = new BackendRegistry({
      backends: new Map([
        ['sick', sick],
        ['good', good],
      ]),
      routes: new Map([['m', [sick, good]]]),
    });
    registry.setHealth('sick', 'unhealthy');
    const { metrics, events } = recordingMetrics();
    const options = {
      model: 'm',
      route: [sick, good],
      body,
      attemptTimeoutMs: ANSWERING_TIMEOUT_MS,
      metrics,
      signal: new AbortController().signal,
      fleet: registry,
    };
    expect(await forwardChat(options)).toMatchObject({ kind: 'answered', backend: { name: 'good' } });
    expect(sick.calls()).toBe(0);
    expect(inFlightDuringAttempt).toBe(1);
    expect(registry.inFlight('good')).toBe(0);
    expect(events).toEqual(['attempt m good ok in=7 out=3']);

    registry.setHealth('good', 'unhealthy');
    expect(await forwardChat(options)).toEqual({ kind: 'failed', failures: [], skipped: 2 });
  });
});
