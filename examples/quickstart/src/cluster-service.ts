/**
 * `--workers N`: the quickstart's service under `node:cluster`. The primary runs yardstick's pipeline
 * (`/metrics`, `/v1/stats`, the web UI and the store, with every worker's requests summed: yardstick
 * aggregates a cluster by itself) and the traffic generator; N workers serve the app on one shared port,
 * each measuring its requests with the HTTP kit and reporting them to the primary every second. A worker
 * that crashes or is killed is replaced, and its counts stay in the totals.
 */
import cluster, { type Worker } from 'node:cluster';
import { startTelemetry } from '@yardstick/sdk';
import { type Service, serveHere } from './serve.ts';

/** What a worker tells the primary when it cannot serve: the one line to print. */
interface WorkerFailure {
  readonly quickstart: 'failed';
  readonly message: string;
}

function isWorkerFailure(message: unknown): message is WorkerFailure {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { quickstart?: unknown }).quickstart === 'failed' &&
    typeof (message as { message?: unknown }).message === 'string'
  );
}

/** How long `stop()` gives the workers to send their last report and exit before killing them. */
const STOP_TIMEOUT_MS = 10_000;

/** Resolves once `worker` has exited (at once if it has). */
function exited(worker: Worker): Promise<void> {
  if (worker.isDead()) return Promise.resolve();
  return new Promise((resolve) => worker.once('exit', () => resolve()));
}

/**
 * Forks `count` workers (each runs this script, and so {@link serveInWorker}) and resolves once every one
 * listens; they share one port (`QUICKSTART_PORT`; with 0 the first worker's free port is every worker's).
 * Rejects with one line when a worker cannot serve (its port is taken, its configuration is wrong).
 */
export async function serveFromWorkers(count: number): Promise<Service> {
  let stopping = false;
  const port = await new Promise<number>((resolve, reject) => {
    let listening = 0;
    let failure: string | undefined;
    const onMessage = (_worker: Worker, message: unknown) => {
      if (isWorkerFailure(message)) failure = message.message;
    };
    const onListening = (_worker: Worker, address: { port: number }) => {
      if (++listening < count) return;
      settle();
      resolve(address.port);
    };
    const onExit = (worker: Worker, code: number | null, signal: string | null) => {
      settle();
      stopping = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGKILL');
      reject(
        new Error(
          failure ?? `worker ${worker.id} exited before it was serving (${signal ?? `exit code ${code}`})`,
        ),
      );
    };
    const settle = () => {
      cluster.off('message', onMessage);
      cluster.off('listening', onListening);
      cluster.off('exit', onExit);
    };
    cluster.on('message', onMessage);
    cluster.on('listening', onListening);
    cluster.on('exit', onExit);
    for (let i = 0; i < count; i++) cluster.fork();
  });
  // A worker that stops on its own with exit code 0 was asked to (SIGTERM, Ctrl-C); any other end is replaced.
  cluster.on('exit', (worker, code, signal) => {
    if (stopping || code === 0) return;
    console.log(
      `worker ${worker.id} ended (${signal ?? `exit code ${code}`}); forking a replacement (its counts stay in /metrics)`,
    );
    cluster.fork();
  });
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      stopping = true;
      const workers = Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);
      // SIGTERM: each worker closes its server and sends its last report before it exits.
      for (const worker of workers) worker.process.kill('SIGTERM');
      const timeout = setTimeout(() => {
        for (const worker of workers) if (!worker.isDead()) worker.process.kill('SIGKILL');
      }, STOP_TIMEOUT_MS);
      await Promise.all(workers.map(exited));
      clearTimeout(timeout);
    },
  };
}

/** Ends this worker after telling the primary `message`, the line it prints. */
function failWith(message: string): Promise<never> {
  return new Promise(() => {
    process.send?.({ quickstart: 'failed', message } satisfies WorkerFailure, undefined, {}, () =>
      process.exit(1),
    );
  });
}

/**
 * A worker's part: serves the app on `port`, shared with the other workers, measured through its own
 * `startTelemetry()` (a cluster worker's opens no port: it reports to the primary). On SIGTERM or SIGINT
 * it stops serving, sends its last report and exits 0.
 */
export async function serveInWorker(port: number): Promise<void> {
  let service: Service;
  let shutdownTelemetry: () => Promise<void>;
  try {
    const telemetry = await startTelemetry({ serviceName: 'yardstick-quickstart' });
    shutdownTelemetry = () => telemetry.shutdown();
    try {
      service = await serveHere(telemetry, port, `worker ${cluster.worker?.id}, pid ${process.pid}`);
    } catch (error) {
      await telemetry.shutdown();
      throw error;
    }
  } catch (error) {
    return failWith((error as Error).message);
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await service.stop();
    await shutdownTelemetry();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}
