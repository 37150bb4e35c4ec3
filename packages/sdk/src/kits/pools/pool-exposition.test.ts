import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PrometheusReader } from '../../exposition/prometheus-reader.ts';
import { trackPool } from './track-pool.ts';

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

describe('pool kit on /metrics', () => {
  it('exposes the Prometheus names dashboards and alerts rely on', async () => {
    vi.useFakeTimers();
    const reader = new PrometheusReader();
    const provider = new MeterProvider({ readers: [reader] });
    providers.push(provider);
    const pool = trackPool(provider.getMeter('yardstick-pools'), {
      name: 'proxies',
      attributes: { region: 'eu' },
      size: () => 10,
      unhealthy: () => 2,
      max: () => 12,
    });
    const lease = pool.acquireStarted();
    vi.advanceTimersByTime(20);
    lease.acquired();
    vi.advanceTimersByTime(300);
    lease.released();
    pool.acquireStarted().timedOut();
    pool.acquireStarted();

    const lines = await scrape(reader);
    // The SDK's scope label goes last, after the pool's own attributes.
    const labels = 'pool_name="proxies",region="eu",otel_scope_name="yardstick-pools"';
    expect(lines).toContain('# TYPE pool_items gauge');
    expect(lines).toContain(`pool_items{pool_item_state="idle",${labels}} 8`);
    expect(lines).toContain(`pool_items{pool_item_state="used",${labels}} 0`);
    expect(lines).toContain(`pool_items{pool_item_state="unhealthy",${labels}} 2`);
    expect(lines).toContain(`pool_limit{${labels}} 12`);
    expect(lines).toContain(`pool_pending_requests{${labels}} 1`);
    expect(lines).toContain('# TYPE pool_timeouts_total counter');
    expect(lines).toContain(`pool_timeouts_total{${labels}} 1`);
    expect(lines).toContain('# TYPE pool_wait_time_seconds histogram');
    expect(lines).toContain(`pool_wait_time_seconds_bucket{${labels},le="0.025"} 1`);
    expect(lines).toContain(`pool_wait_time_seconds_bucket{${labels},le="0.01"} 0`);
    expect(lines).toContain(`pool_use_time_seconds_count{${labels}} 1`);
    expect(lines).toContain(`pool_use_time_seconds_bucket{${labels},le="0.5"} 1`);
    expect(lines).toContain(`pool_use_time_seconds_bucket{${labels},le="0.25"} 0`);
  });
});
