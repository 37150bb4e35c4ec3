import { isStaleNaN, STALE_NAN } from '@yardstick/promql';
import { describe, expect, it } from 'vitest';
import { retryAfterMs } from './remote-write-client.ts';
import { splitIntoRequests } from './remote-write-sender.ts';
import { decodeWriteRequest, encodeWriteRequest } from './write-request.ts';

describe('the remote write body', () => {
  it('round-trips labels, samples, the staleness marker and metadata through protobuf and snappy', () => {
    const labels = [
      { name: '__name__', value: 'http_requests_total' },
      { name: 'job', value: 'api' },
    ];
    const body = encodeWriteRequest(
      [
        {
          labels,
          samples: [
            { value: 3, timestamp: 1_700_000_000_123 },
            { value: STALE_NAN, timestamp: 1_700_000_015_123 },
          ],
        },
      ],
      [{ type: 'counter', familyName: 'http_requests_total', help: 'Requests.', unit: '' }],
    );
    const decoded = decodeWriteRequest(body);
    expect(decoded.timeseries[0]?.labels).toEqual(labels);
    expect(decoded.timeseries[0]?.samples[0]).toEqual({ value: 3, timestamp: 1_700_000_000_123 });
    expect(isStaleNaN(decoded.timeseries[0]!.samples[1]!.value)).toBe(true);
    expect(decoded.metadata[0]).toMatchObject({
      type: 1,
      metric_family_name: 'http_requests_total',
      help: 'Requests.',
    });
  });
});

describe('splitIntoRequests', () => {
  it('keeps each series whole and fills requests up to the sample limit', () => {
    const series = (n: number) => ({
      labels: [],
      samples: Array.from({ length: n }, (_, i) => ({ value: i, timestamp: i })),
    });
    const requests = splitIntoRequests([series(3), series(3), series(5), series(1)], 6);
    expect(requests.map((r) => r.samples)).toEqual([6, 6]);
    expect(requests.map((r) => r.series.length)).toEqual([2, 2]);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, and ignores what it cannot read', () => {
    expect(retryAfterMs('7')).toBe(7000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:10 GMT', Date.parse('2026-01-01T00:00:00Z'))).toBe(10_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});
