import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PrometheusReader } from '../../exposition/prometheus-reader.ts';
import { silentLogger } from '../../logging/logger.ts';
import { trackDependency } from './track-dependency.ts';

/** The text exposition `/metrics` serves, as a list of lines. */
async function scrape(reader: PrometheusReader): Promise<string[]> {
  let text = '';
  for await (const chunk of await reader.render('text')) text += chunk;
  return text.split('\n');
}

const providers: MeterProvider[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(providers.splice(0).map((provider) => provider.shutdown()));
});

describe('dependency-health kit on /metrics', () => {
  it('exposes the Prometheus names dashboards and alerts rely on', async () => {
    vi.useFakeTimers();
    const reader = new PrometheusReader();
    const provider = new MeterProvider({ readers: [reader] });
    providers.push(provider);
    let answers = 0;
    const backend = trackDependency(provider.getMeter('yardstick-health'), {
      name: 'model:gpt',
      attributes: { kind: 'llm' },
      intervalMs: 1_000,
      timeoutMs: 500,
      logger: silentLogger,
      check: () => (++answers === 1 ? new Promise<boolean>(() => {}) : Promise.resolve(answers === 2)),
    });
    await vi.advanceTimersByTimeAsync(2_000);

    const lines = await scrape(reader);
    backend.stop();
    // The SDK's scope label goes last, after the dependency's own attributes.
    const labels = 'dependency_name="model:gpt",kind="llm",otel_scope_name="yardstick-health"';
    expect(lines).toContain('# TYPE dependency_up gauge');
    expect(lines).toContain(`dependency_up{${labels}} 0`);
    expect(lines).toContain('# TYPE dependency_checks_total counter');
    for (const outcome of ['success', 'failure', 'timeout']) {
      expect(lines).toContain(`dependency_checks_total{dependency_check_outcome="${outcome}",${labels}} 1`);
    }
    expect(lines).toContain('# TYPE dependency_check_duration_seconds histogram');
    expect(lines).toContain(
      `dependency_check_duration_seconds_bucket{dependency_check_outcome="timeout",${labels},le="0.5"} 1`,
    );
    expect(lines).toContain(
      `dependency_check_duration_seconds_bucket{dependency_check_outcome="timeout",${labels},le="0.25"} 0`,
    );
  });
});
