/**
 * The load generator of the chat-throughput bench: `inFlight` chat completions at a time over keep-alive
 * sockets (one per request in flight, never a new connection per request), run in its own process.
 */
import { Agent, request } from 'node:http';

const BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
const agents = new Map<number, Agent>();

function chat(port: number, agent: Agent): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/chat/completions',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) },
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      },
    );
    // A failed chat is counted, not thrown: the bench refuses a run with failures.
    req.once('error', () => resolve(0));
    req.end(BODY);
  });
}

/** Sends `chats` chat completions to the gateway on `port`, `inFlight` at a time; chats per second. */
export async function runChatLoad(
  port: number,
  chats: number,
  inFlight: number,
): Promise<{ rps: number; failed: number }> {
  let agent = agents.get(port);
  if (agent === undefined) {
    agent = new Agent({ keepAlive: true, maxSockets: inFlight, maxFreeSockets: inFlight });
    agents.set(port, agent);
  }
  let next = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < chats) if ((await chat(port, agent)) !== 200) failed++;
    }),
  );
  return { rps: chats / ((performance.now() - started) / 1000), failed };
}
