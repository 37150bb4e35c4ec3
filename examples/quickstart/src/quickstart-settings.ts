/**
 * The quickstart's own settings, from environment variables. yardstick's settings (the telemetry port is
 * `OTEL_EXPORTER_PROMETHEUS_PORT`) are read by `startTelemetry` itself.
 */

/** Where the service listens and how much traffic the generator sends it. */
export interface QuickstartSettings {
  /** `QUICKSTART_PORT`, default 3000; 0 picks a free port. */
  readonly port: number;
  /** `QUICKSTART_RPS`, default 10: requests per second, 0.1 to 1000 (it becomes a timer's period). */
  readonly requestsPerSecond: number;
}

/** The settings, or one line saying which variable is wrong and what it accepts. */
export function readQuickstartSettings(
  env: Readonly<Record<string, string | undefined>>,
): QuickstartSettings | { readonly error: string } {
  const portText = env.QUICKSTART_PORT ?? '3000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65_535) {
    return {
      error: `QUICKSTART_PORT must be a port number from 0 to 65535, got ${JSON.stringify(portText)}`,
    };
  }
  const rpsText = env.QUICKSTART_RPS ?? '10';
  const requestsPerSecond = Number(rpsText);
  if (rpsText.trim() === '' || !(requestsPerSecond >= 0.1 && requestsPerSecond <= 1000)) {
    return { error: `QUICKSTART_RPS must be a number from 0.1 to 1000, got ${JSON.stringify(rpsText)}` };
  }
  return { port, requestsPerSecond };
}
