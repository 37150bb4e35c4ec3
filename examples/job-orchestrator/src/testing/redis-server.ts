/**
 * A real redis-server for this example's tests, started through test/support/peers.ts. redis-server has no
 * HTTP endpoint for startPeer's readiness poll, so a probe server answers 200 once Redis answers PING (and
 * 503 before), and startPeer polls that. Test-only: excluded from the example's build.
 */
import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { peer, type RunningPeer, startPeer } from '../../../../test/support/peers.ts';

/** redis-server on PATH, or why the tests that need it are skipped. */
export const redisPeer = peer('redis');

/** Whether something on 127.0.0.1:port answers PING with PONG within 500 ms. */
export function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/**
 * Starts redis-server on 127.0.0.1:port without persistence (`--save '' --appendonly no`), its working
 * directory in `dir`; resolves once it answers PING (at most 10 s).
 */
export async function startRedisServer(port: number, dir: string): Promise<RunningPeer> {
  const probe = createServer((_req, res) => {
    void answersPing(port).then((ok) => res.writeHead(ok ? 200 : 503).end());
  });
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const probeUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/`;
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
  ];
  try {
    return await startPeer(redisPeer.path!, args, probeUrl, 10_000);
  } finally {
    await new Promise((resolve) => probe.close(resolve));
  }
}
