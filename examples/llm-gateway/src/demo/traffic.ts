/**
 * A demo traffic generator: a few chat requests per second to the gateway, spread over the models,
 * bounded in concurrency, stopped by the returned function.
 */

const PROMPTS = [
  'Summarize the plot of Hamlet in two sentences.',
  'Write a haiku about metrics.',
  'What is the difference between a counter and a gauge?',
  'Translate "good morning" into French, German and Japanese.',
];

/** Starts sending `ratePerSecond` chat requests per second to `gatewayUrl`; returns a stop function. */
export function startChatTraffic(
  gatewayUrl: string,
  models: readonly string[],
  ratePerSecond = 5,
): () => Promise<void> {
  const inFlight = new Set<Promise<unknown>>();
  const timer = setInterval(() => {
    if (inFlight.size >= 20) return; // never pile up when backends hang
    const model = models[Math.floor(Math.random() * models.length)]!;
    const content = PROMPTS[Math.floor(Math.random() * PROMPTS.length)]!;
    const request = fetch(`${gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
    })
      .then((res) => res.arrayBuffer())
      .catch(() => undefined)
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  }, 1000 / ratePerSecond);
  return async () => {
    clearInterval(timer);
    await Promise.allSettled([...inFlight]);
  };
}
