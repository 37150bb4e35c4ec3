/**
 * The chat-throughput bench's load generator and backend on raw sockets: HTTP/1.1 with keep-alive and
 * `Content-Length` framing, one request in flight per connection (as OpenAI clients send them, no
 * pipelining). They are not node:http so that their CPU goes to the gateway: on the 2-core machine the
 * node:http client and fake backend took 0.086 ms of CPU per chat each (0.3 cores apiece at 3,500 chats/s),
 * more than half a core that the gateway, the process being measured, then did not get.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length: *(\d+)/i;

/**
 * Splits complete HTTP/1.1 messages (head + `Content-Length` body) off the front of `buffer`; calls
 * `onMessage(head)` for each and returns the unread rest. A message without `Content-Length` has no body.
 */
function takeMessages(buffer: Buffer, onMessage: (head: string) => void): Buffer {
  let start = 0;
  for (;;) {
    const end = buffer.indexOf(HEADER_END, start);
    if (end < 0) break;
    const head = buffer.toString('latin1', start, end);
    const length = Number(CONTENT_LENGTH.exec(head)?.[1] ?? 0);
    const next = end + HEADER_END.length + length;
    if (next > buffer.length) break;
    onMessage(head);
    start = next;
  }
  return start === 0 ? buffer : buffer.subarray(start);
}

/** The chat completion the backend answers with: OpenAI's shape with `usage`, as the fake backend's. */
const ANSWER = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 0,
  model: 'gpt-4o-mini',
  system_fingerprint: 'bench',
  choices: [
    { index: 0, message: { role: 'assistant', content: 'Hello from bench.' }, finish_reason: 'stop' },
  ],
  usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 },
});
const RESPONSE = Buffer.from(
  `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(ANSWER)}\r\n` +
    `connection: keep-alive\r\n\r\n${ANSWER}`,
);

/** Starts the backend on 127.0.0.1: every request is answered at once with {@link ANSWER}. */
export async function startRawBackend(): Promise<{ url: string; server: Server }> {
  const server = createServer((socket) => {
    let pending: Buffer = Buffer.alloc(0);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      let answers = 0;
      pending = takeMessages(pending.length === 0 ? chunk : Buffer.concat([pending, chunk]), () => {
        answers++;
      });
      if (answers === 1) socket.write(RESPONSE);
      else if (answers > 1) socket.write(Buffer.concat(Array.from({ length: answers }, () => RESPONSE)));
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the raw backend has no port');
  return { url: `http://127.0.0.1:${address.port}/v1`, server };
}

const BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

function chatRequest(port: number): Buffer {
  return Buffer.from(
    `POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(BODY)}\r\nconnection: keep-alive\r\n\r\n${BODY}`,
  );
}

const connections = new Map<string, Socket[]>();

function openConnection(port: number): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.setNoDelay(true);
    socket.once('error', reject);
  });
}

/**
 * Sends `chats` chat completions to the gateways on `ports` over `inFlight` keep-alive connections spread
 * evenly across them, one request in flight on each; resolves with chats per second and the chats not
 * answered with 200.
 */
export async function runRawChatLoad(
  ports: readonly number[],
  chats: number,
  inFlight: number,
): Promise<{ rps: number; failed: number }> {
  // A gateway closes connections idle past its keep-alive timeout (5 s) while another contender runs:
  // those are opened again, so every run starts with `inFlight` open connections.
  const key = ports.join(',');
  const kept = connections.get(key) ?? [];
  const sockets = await Promise.all(
    Array.from({ length: inFlight }, (_, i) => {
      const socket = kept[i];
      return socket?.readyState === 'open' ? socket : openConnection(ports[i % ports.length]!);
    }),
  );
  connections.set(key, sockets);
  const requests = ports.map(chatRequest);
  let sent = 0;
  let answered = 0;
  let failed = 0;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    for (const [i, socket] of sockets.entries()) {
      const request = requests[i % ports.length]!;
      let pending: Buffer = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        pending = takeMessages(pending.length === 0 ? chunk : Buffer.concat([pending, chunk]), (head) => {
          answered++;
          if (!head.startsWith('HTTP/1.1 200 ')) failed++;
          if (sent < chats) {
            sent++;
            socket.write(request);
          }
        });
        if (answered === chats) {
          for (const s of sockets) s.removeAllListeners('data').removeAllListeners('close');
          resolve();
        }
      };
      socket.on('data', onData);
      socket.once('close', () => reject(new Error('the gateway closed a load connection mid-run')));
      if (sent < chats) {
        sent++;
        socket.write(request);
      }
    }
  });
  return { rps: chats / ((performance.now() - started) / 1000), failed };
}
