import { describe, expect, it } from 'vitest';
import { prometheusName } from './metric-name.ts';

describe('prometheusName', () => {
  it('sanitizes the instrument name and appends the unit word', () => {
    expect(prometheusName('http.server.request.duration', 's', 'histogram')).toEqual({
      name: 'http_server_request_duration_seconds',
      familyName: 'http_server_request_duration_seconds',
      unit: 'seconds',
    });
  });

  it('does not repeat a unit suffix the name already ends with', () => {
    expect(prometheusName('db.latency_seconds', 's', 'histogram').name).toBe('db_latency_seconds');
    expect(prometheusName('heap_bytes', 'By', 'gauge').name).toBe('heap_bytes');
  });

  it('ends monotonic counters with exactly one _total, after the unit', () => {
    expect(prometheusName('http.requests', '{request}', 'counter')).toEqual({
      name: 'http_requests_total',
      familyName: 'http_requests',
      unit: '',
    });
    expect(prometheusName('jobs_total', '', 'counter').name).toBe('jobs_total');
    expect(prometheusName('io_total', 'By', 'counter').name).toBe('io_bytes_total');
    expect(prometheusName('cpu.time', 's', 'counter')).toEqual({
      name: 'cpu_time_seconds_total',
      familyName: 'cpu_time_seconds',
      unit: 'seconds',
    });
  });

  it('never adds _total to gauges or histograms', () => {
    expect(prometheusName('queue.depth', '{item}', 'gauge').name).toBe('queue_depth');
    expect(prometheusName('sizes', 'By', 'histogram').name).toBe('sizes_bytes');
  });

  it('names unit-1 gauges *_ratio and unit-1 counters without a suffix', () => {
    expect(prometheusName('cpu.utilization', '1', 'gauge').name).toBe('cpu_utilization_ratio');
    expect(prometheusName('retries', '1', 'counter').name).toBe('retries_total');
  });

  it('never joins a suffix with a double underscore when the name ends in a separator', () => {
    expect(prometheusName('requests.', '', 'counter')).toEqual({
      name: 'requests_total',
      familyName: 'requests',
      unit: '',
    });
    expect(prometheusName('io/', 'By', 'counter').name).toBe('io_bytes_total');
    expect(prometheusName('wait-', 's', 'histogram').name).toBe('wait_seconds');
    expect(prometheusName('level.', '', 'gauge').name).toBe('level_');
  });

  it('prefixes a name starting with a digit', () => {
    expect(prometheusName('5xx.errors', '', 'counter').name).toBe('_5xx_errors_total');
  });
});
