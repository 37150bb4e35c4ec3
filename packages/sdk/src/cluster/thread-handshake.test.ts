import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { connectToMainThread } from './connect-to-main-thread.ts';
import { isThreadHello, isThreadWelcome, THREAD_HELLO_TAG, THREAD_WELCOME_TAG } from './thread-handshake.ts';

const welcome = {
  yardstick: THREAD_WELCOME_TAG,
  version: 1,
  histogramAggregations: ['explicit'],
  reportIntervalMs: 1_000,
};

describe('worker thread handshake', () => {
  it('takes only tagged hellos of its version that carry a port', () => {
    const { port1, port2 } = new MessageChannel();
    expect(isThreadHello({ yardstick: THREAD_HELLO_TAG, version: 1, port: port1 })).toBe(true);
    expect(isThreadHello({ yardstick: THREAD_HELLO_TAG, version: 2, port: port1 })).toBe(false);
    expect(isThreadHello({ yardstick: THREAD_HELLO_TAG, version: 1 })).toBe(false);
    expect(isThreadHello({ port: port1 })).toBe(false);
    port1.close();
    port2.close();
  });

  it('refuses a welcome with an unknown aggregation or a report interval under 100 ms', () => {
    expect(isThreadWelcome(welcome)).toBe(true);
    expect(isThreadWelcome({ ...welcome, histogramAggregations: [] })).toBe(false);
    expect(isThreadWelcome({ ...welcome, histogramAggregations: ['linear'] })).toBe(false);
    expect(isThreadWelcome({ ...welcome, reportIntervalMs: 0 })).toBe(false);
    expect(isThreadWelcome({ ...welcome, reportIntervalMs: Number.NaN })).toBe(false);
  });

  it('has nothing to connect to in the main thread, and says so without throwing', async () => {
    await expect(connectToMainThread(200)).resolves.toEqual({
      ok: false,
      problem: 'this is the main thread',
    });
  });
});
