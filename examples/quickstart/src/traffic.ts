/**
 * A built-in traffic generator so a newcomer sees live numbers at once: a few requests per second
 * against the quickstart's own routes, bounded in concurrency, stopped by the returned function.
 */

const paths: ReadonlyArray<readonly [string, string]> = [
  ['GET', '/'],
  ['GET', '/users/:n'],
  ['GET', '/users/:n'],
  ['POST', '/orders'],
  ['GET', '/missing'],
];

/** Starts sending `ratePerSecond` requests per second to `baseUrl`; returns a stop function. */
export function startTrafficGenerator(baseUrl: string, ratePerSecond = 10): () => Promise<void> {
  const inFlight = new Set<Promise<unknown>>();
  const timer = setInterval(() => {
    if (inFlight.size >= 20) return; // never pile up if the service is slow
    const [method, template] = paths[Math.floor(Math.random() * paths.length)]!;
    const path = template.replace(':n', String(1 + Math.floor(Math.random() * 200)));
    const request = fetch(`${baseUrl}${path}`, { method })
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
