/**
 * Runs queries on worker threads, at most `maxConcurrent` at once; more wait in line until a worker is
 * free or their deadline passes. A query that outlives its deadline by a grace second, or whose client has
 * gone, is stopped by terminating its worker; a worker that runs out of heap fails only its own query.
 * Idle workers are unreferenced (they never keep the host alive) and stop after a minute.
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import type { Queryable } from '@yardstick/promql';
import { ApiError } from './api-error.ts';
import type { QueryJob, QueryOutcome, QueryRequest } from './query-job.ts';
import { serveStoreSelects } from './store-select-server.ts';

/** Options of {@link QueryWorkerPool}. */
export interface QueryWorkerPoolOptions {
  readonly store: Queryable;
  readonly maxConcurrent: number;
  readonly maxSamples: number;
  readonly maxResponseBytes: number;
  readonly workerHeapBytes: number;
  readonly lookbackDeltaMs?: number | undefined;
}

/** After its deadline a worker gets this long to answer on its own before it is terminated. */
const TERMINATE_GRACE_MS = 1_000;
const IDLE_WORKER_MS = 60_000;

// Under the test runner the sources are TypeScript and packages resolve through the `yardstick-source`
// condition; a worker must be told so, since it does not share the parent's loader.
const sourceMode = import.meta.url.endsWith('.ts');
const workerUrl = new URL(sourceMode ? './query-worker.ts' : './query-worker.js', import.meta.url);

interface Waiter {
  readonly resolve: (worker: Worker) => void;
  readonly reject: (error: ApiError) => void;
}

/** A bounded set of query workers. */
export class QueryWorkerPool {
  readonly #options: QueryWorkerPoolOptions;
  readonly #idle: Worker[] = [];
  readonly #idleTimers = new Map<Worker, NodeJS.Timeout>();
  readonly #waiting = new Set<Waiter>();
  #busy = 0;
  #nextId = 0;
  #closed = false;

  constructor(options: QueryWorkerPoolOptions) {
    this.#options = options;
  }

  /**
   * Evaluates and serializes one query, resolving with its JSON body.
   * @throws ApiError with Prometheus's error type (`timeout`, `execution`, `bad_data`, `canceled`, ...).
   */
  async run(request: QueryRequest, signal: AbortSignal): Promise<Uint8Array> {
    const worker = await this.#acquire(request.deadline, signal);
    let healthy = true;
    try {
      return await this.#runOn(worker, request, signal);
    } catch (error) {
      if (!(error instanceof WorkerGone)) throw error;
      // A worker stopped mid-query (deadline, disconnect, out of memory) is gone; never reuse it.
      healthy = false;
      throw error.apiError;
    } finally {
      this.#release(worker, healthy);
    }
  }

  /** Stops every worker and fails every waiting query. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const waiter of this.#waiting)
      waiter.reject(new ApiError('unavailable', 'the query API is shutting down'));
    this.#waiting.clear();
    const idle = this.#idle.splice(0);
    for (const timer of this.#idleTimers.values()) clearTimeout(timer);
    this.#idleTimers.clear();
    await Promise.all(idle.map((worker) => worker.terminate()));
  }

  #acquire(deadline: number, signal: AbortSignal): Promise<Worker> {
    if (this.#closed) return Promise.reject(new ApiError('unavailable', 'the query API is shutting down'));
    if (this.#busy < this.#options.maxConcurrent) {
      this.#busy++;
      return Promise.resolve(this.#takeIdle() ?? this.#spawn());
    }
    return new Promise<Worker>((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.#waiting.delete(waiter);
      };
      const waiter: Waiter = {
        resolve: (worker) => {
          finish();
          resolve(worker);
        },
        reject: (error) => {
          finish();
          reject(error);
        },
      };
      const onAbort = () => waiter.reject(new ApiError('canceled', 'query canceled: the client went away'));
      // Prometheus's answer when --query.max-concurrency keeps a query waiting past its timeout.
      const timer = setTimeout(
        () => waiter.reject(new ApiError('timeout', 'query timed out in query queue')),
        Math.max(0, deadline - Date.now()),
      );
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiting.add(waiter);
    });
  }

  #release(worker: Worker, healthy: boolean): void {
    if (!healthy) void worker.terminate();
    const next = this.#waiting.values().next();
    if (!next.done && !this.#closed) {
      // The slot passes straight to the next query in line.
      next.value.resolve(healthy ? worker : this.#spawn());
      return;
    }
    this.#busy--;
    if (healthy && !this.#closed) this.#parkIdle(worker);
    else if (healthy) void worker.terminate();
  }

  #takeIdle(): Worker | undefined {
    const worker = this.#idle.pop();
    if (worker !== undefined) {
      clearTimeout(this.#idleTimers.get(worker));
      this.#idleTimers.delete(worker);
    }
    return worker;
  }

  #parkIdle(worker: Worker): void {
    this.#idle.push(worker);
    const timer = setTimeout(() => {
      this.#idleTimers.delete(worker);
      const at = this.#idle.indexOf(worker);
      if (at >= 0) this.#idle.splice(at, 1);
      void worker.terminate();
    }, IDLE_WORKER_MS);
    timer.unref();
    this.#idleTimers.set(worker, timer);
  }

  #spawn(): Worker {
    const heapMb = Math.max(16, Math.floor(this.#options.workerHeapBytes / (1024 * 1024)));
    const worker = new Worker(workerUrl, {
      execArgv: sourceMode ? ['--conditions=yardstick-source'] : [],
      resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: Math.min(64, heapMb / 4) },
      stdout: false,
      stderr: false,
    });
    // An idle worker must never keep the host process alive.
    worker.unref();
    // Errors are handled per query in #runOn; this keeps an idle worker's late death from being unhandled.
    worker.on('error', () => undefined);
    return worker;
  }

  #runOn(worker: Worker, request: QueryRequest, signal: AbortSignal): Promise<Uint8Array> {
    const { port1, port2 } = new MessageChannel();
    const answers = new Int32Array(new SharedArrayBuffer(4));
    const server = serveStoreSelects(this.#options.store, port1, answers);
    const id = this.#nextId++;
    const job: QueryJob = {
      ...request,
      id,
      lookbackDeltaMs: this.#options.lookbackDeltaMs,
      maxSamples: this.#options.maxSamples,
      maxResponseBytes: this.#options.maxResponseBytes,
      storePort: port2,
      answers,
    };
    return new Promise<Uint8Array>((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        server.close();
      };
      const fail = (error: WorkerGone | ApiError) => {
        cleanup();
        reject(error);
      };
      const onMessage = (outcome: QueryOutcome) => {
        if (outcome.id !== id) return;
        cleanup();
        if (outcome.ok) resolve(outcome.body);
        else reject(new ApiError(outcome.type, outcome.message));
      };
      const onError = (error: Error & { code?: string }) => {
        fail(
          new WorkerGone(
            error.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? new ApiError(
                  'execution',
                  `query processing would load too many samples into memory in query execution (the query worker's ${this.#options.workerHeapBytes}-byte heap, query.workerHeapBytes, ran out)`,
                )
              : new ApiError('internal', `query worker failed: ${error.message}`),
          ),
        );
      };
      const onExit = () => fail(new WorkerGone(new ApiError('internal', 'query worker exited')));
      const onAbort = () =>
        fail(new WorkerGone(new ApiError('canceled', 'query canceled: the client went away')));
      const timer = setTimeout(
        () => fail(new WorkerGone(new ApiError('timeout', 'query timed out in expression evaluation'))),
        Math.max(0, request.deadline - Date.now()) + TERMINATE_GRACE_MS,
      );
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      worker.postMessage(job, [port2]);
    });
  }
}

/** A query's failure that also cost its worker (terminated or dead). */
class WorkerGone extends Error {
  readonly apiError: ApiError;
  constructor(apiError: ApiError) {
    super(apiError.message);
    this.apiError = apiError;
  }
}
