import { ValueType } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Exemplar } from '@yardstick/metrics-core';
import { describe, expect, it } from 'vitest';
import { renderExposition } from './exposition-serializer.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const AT = 1_700_000_000_123;

function exemplar(value: number, timeUnixMs = AT, traceId = TRACE): Exemplar {
  return { value, timeUnixMs, traceId, spanId: SPAN, filteredAttributes: {} };
}

function collection(metrics: unknown[]): ResourceMetrics {
  return {
    resource: resourceFromAttributes({}),
    scopeMetrics: [{ scope: { name: 's' }, metrics: metrics as never }],
  };
}

const descriptor = (name: string) => ({ name, description: '', unit: '', valueType: ValueType.DOUBLE });
const times = { startTime: [0, 0], endTime: [1, 0] };

function counter(exemplars?: Exemplar[]) {
  return {
    descriptor: descriptor('orders'),
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic: true,
    dataPoints: [{ ...times, attributes: { route: '/a' }, value: 5, ...(exemplars ? { exemplars } : {}) }],
  };
}

function render(metrics: unknown[], format: 'openmetrics' | 'text' = 'openmetrics'): string[] {
  return renderExposition(collection(metrics), format, { withoutTargetInfo: true, withoutScopeLabels: true })
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('# '));
}

describe('OpenMetrics exemplars', () => {
  it('end a counter _total line with the trace and span ids, the value and the time in seconds', () => {
    expect(render([counter([exemplar(2, AT - 5000, 'a'.repeat(32)), exemplar(3)])])).toEqual([
      `orders_total{route="/a"} 5 # {trace_id="${TRACE}",span_id="${SPAN}"} 3 1700000000.123`,
    ]);
  });

  it('are never written in the text format 0.0.4, and a point without exemplars has none', () => {
    expect(render([counter([exemplar(3)])], 'text')).toEqual(['orders_total{route="/a"} 5']);
    expect(render([counter()])).toEqual(['orders_total{route="/a"} 5']);
  });

  it('write an empty label set for an exemplar recorded outside any span (always_on)', () => {
    const [line] = render([counter([{ value: 1, timeUnixMs: AT, filteredAttributes: {} }])]);
    expect(line).toBe('orders_total{route="/a"} 5 # {} 1 1700000000.123');
  });

  it('put each histogram exemplar on the bucket whose le holds its value, +Inf for the overflow', () => {
    const histogram = {
      descriptor: descriptor('latency'),
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: [
        {
          ...times,
          attributes: {},
          value: { buckets: { boundaries: [0.1, 1], counts: [1, 2, 1] }, count: 4, sum: 7.2 },
          exemplars: [exemplar(0.1), exemplar(0.5, AT - 1), exemplar(0.7), exemplar(6)],
        },
      ],
    };
    const suffix = (value: string) => ` # {trace_id="${TRACE}",span_id="${SPAN}"} ${value} 1700000000.123`;
    expect(render([histogram])).toEqual([
      `latency_bucket{le="0.1"} 1${suffix('0.1')}`,
      // Two exemplars in (0.1, 1]: the later one.
      `latency_bucket{le="1"} 3${suffix('0.7')}`,
      `latency_bucket{le="+Inf"} 4${suffix('6')}`,
      'latency_sum 7.2',
      'latency_count 4',
    ]);
  });

  it('put an exponential histogram exemplar on the classic bucket it was counted in', () => {
    const histogram = {
      descriptor: descriptor('size'),
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
      dataPoints: [
        {
          ...times,
          attributes: {},
          // Scale 0: bucket i holds (2^i, 2^(i+1)]; 3 is in (2, 4], 5 in (4, 8].
          value: {
            count: 2,
            sum: 8,
            scale: 0,
            zeroCount: 0,
            positive: { offset: 1, bucketCounts: [1, 1] },
            negative: { offset: 0, bucketCounts: [] },
          },
          exemplars: [exemplar(3), exemplar(5)],
        },
      ],
    };
    const lines = render([histogram]).filter((line) => line.startsWith('size_bucket'));
    expect(lines).toEqual([
      `size_bucket{le="4"} 1 # {trace_id="${TRACE}",span_id="${SPAN}"} 3 1700000000.123`,
      `size_bucket{le="8"} 2 # {trace_id="${TRACE}",span_id="${SPAN}"} 5 1700000000.123`,
      'size_bucket{le="+Inf"} 2',
    ]);
  });

  it('are left off gauges (OpenMetrics puts exemplars on counters and histogram buckets only)', () => {
    const gauge = {
      descriptor: descriptor('temperature'),
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.GAUGE,
      dataPoints: [{ ...times, attributes: {}, value: 21, exemplars: [exemplar(21)] }],
    };
    expect(render([gauge])).toEqual(['temperature 21']);
  });
});
