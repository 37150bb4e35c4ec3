/**
 * One JSON POST with a timeout, reported as a result (notifiers never throw).
 */

/** POSTs `payload` as JSON; resolves to an error message, or undefined on a 2xx answer. */
export async function postJson(
  url: string,
  payload: unknown,
  timeoutMs: number,
  headers: Readonly<Record<string, string>> = {},
): Promise<string | undefined> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer();
    return res.ok ? undefined : `HTTP ${res.status}`;
  } catch (err) {
    return (err as Error).message;
  }
}
