/**
 * A worker thread's side of the handshake in `thread-handshake.ts`: it sends a hello with a port to the
 * main thread and waits, bounded, for the welcome. The wait keeps the thread alive (a pending
 * `postMessageToThread` does not); once connected the port is unref'd, so reporting never does.
 */
import { MessageChannel, type MessagePort, postMessageToThread } from 'node:worker_threads';
import type { ReportChannel } from './cluster-reporter.ts';
import {
  isThreadWelcome,
  THREAD_HANDSHAKE_VERSION,
  THREAD_HELLO_TAG,
  type ThreadHello,
  type ThreadWelcome,
} from './thread-handshake.ts';

/** How long a thread waits for the main thread's welcome by default. */
export const MAIN_THREAD_TIMEOUT_MS = 2_000;

/** The connection to the main thread's pipeline, or why there is none. */
export type MainThreadConnection =
  | { readonly ok: true; readonly channel: ReportChannel; readonly welcome: ThreadWelcome }
  | { readonly ok: false; readonly problem: string };

/** A report channel over `port`, open until either side closes it. */
function portChannel(port: MessagePort): ReportChannel {
  let open = true;
  port.once('close', () => {
    open = false;
  });
  return {
    get connected() {
      return open;
    },
    send(message, callback) {
      try {
        port.postMessage(message);
        callback(null);
      } catch (error) {
        callback(error instanceof Error ? error : new Error(String(error)));
      }
    },
    onDisconnect(listener) {
      port.once('close', listener);
      return () => port.off('close', listener);
    },
  };
}

/** Connects to the main thread's pipeline, waiting at most `timeoutMs` for it to answer. Never rejects. */
export async function connectToMainThread(
  timeoutMs: number = MAIN_THREAD_TIMEOUT_MS,
): Promise<MainThreadConnection> {
  const { port1: port, port2: theirs } = new MessageChannel();
  let timer: NodeJS.Timeout | undefined;
  let onMessage: ((message: unknown) => void) | undefined;
  const welcomed = new Promise<ThreadWelcome | undefined>((resolve) => {
    onMessage = (message) => {
      if (isThreadWelcome(message)) resolve(message);
    };
    port.on('message', onMessage);
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  const hello: ThreadHello = { yardstick: THREAD_HELLO_TAG, version: THREAD_HANDSHAKE_VERSION, port: theirs };
  const answer = await postMessageToThread(0, hello, [theirs], timeoutMs).then(
    () => welcomed,
    (error: unknown) => error as Error,
  );
  clearTimeout(timer);
  if (onMessage !== undefined) port.off('message', onMessage);
  if (answer instanceof Error || answer === undefined) {
    port.close();
    const code = (answer as { code?: unknown } | undefined)?.code;
    return {
      ok: false,
      problem:
        code === 'ERR_WORKER_MESSAGING_SAME_THREAD'
          ? 'this is the main thread'
          : code === 'ERR_WORKER_MESSAGING_FAILED'
            ? 'the main thread has no yardstick pipeline'
            : `the main thread did not answer within ${timeoutMs} ms`,
    };
  }
  port.unref();
  return { ok: true, channel: portChannel(port), welcome: answer };
}
