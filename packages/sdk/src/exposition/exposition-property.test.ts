/**
 * Property: whatever attribute keys and values an application records, the exposition stays parseable by
 * a strict parser of the text 0.0.4 and OpenMetrics grammar, and label values survive the round trip.
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { sanitizeLabelName } from '@yardstick/views';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderExposition } from './exposition-serializer.ts';
import type { ExpositionFormat } from './negotiate.ts';
import { PrometheusReader } from './prometheus-reader.ts';

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const VALUE = /^(?:[+-]?Inf|NaN|[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'info']);

/** Reads a quoted string at `text[start] === '"'`; returns the unescaped value and the index after it. */
function readQuoted(text: string, start: number, escapable: string): [string, number] {
  if (text[start] !== '"') throw new Error(`expected '"' at ${start} in ${text}`);
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '"') return [value, i + 1];
    if (c === '\n') throw new Error('raw newline in a label value');
    if (c === '\\') {
      const next = text[++i];
      if (next === undefined || !escapable.includes(next)) throw new Error(`bad escape \\${next} in ${text}`);
      value += next === 'n' ? '\n' : next;
    } else {
      value += c;
    }
  }
  throw new Error(`unterminated label value in ${text}`);
}

function familyOf(sample: string, family: string, type: string, openMetrics: boolean): boolean {
  if (type === 'histogram') return [`${family}_bucket`, `${family}_sum`, `${family}_count`].includes(sample);
  if (openMetrics && type === 'counter') return sample === `${family}_total`;
  if (openMetrics && type === 'info') return sample === `${family}_info`;
  return sample === family;
}

/** A strict parser of what a Prometheus exposition may contain; throws on anything outside the grammar. */
function parseExposition(text: string, format: ExpositionFormat): Sample[] {
  const openMetrics = format === 'openmetrics';
  if (text !== '' && !text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const lines = text.split('\n').slice(0, -1);
  if (openMetrics && lines.pop() !== '# EOF') throw new Error('OpenMetrics must end with # EOF');
  const samples: Sample[] = [];
  const seenFamilies = new Set<string>();
  const seenSeries = new Set<string>();
  let family = '';
  let type = '';
  for (const line of lines) {
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE|UNIT) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
      if (!match) throw new Error(`bad comment line: ${line}`);
      const [, keyword, name = '', rest = ''] = match;
      if (keyword === 'UNIT' && !openMetrics) throw new Error('UNIT in text format');
      if (keyword === 'TYPE') {
        if (!TYPES.has(rest) || (rest === 'info' && !openMetrics)) throw new Error(`bad type: ${line}`);
        type = rest;
      }
      if (name !== family) {
        if (seenFamilies.has(name)) throw new Error(`family ${name} appears twice`);
        seenFamilies.add(name);
        family = name;
      }
      if (keyword === 'HELP') {
        const escapes = openMetrics ? /\\[^\\n"]/ : /\\[^\\n]/;
        if (escapes.test(rest.replaceAll('\\\\', ''))) throw new Error(`bad HELP escape: ${line}`);
      }
      continue;
    }
    const name = METRIC_NAME.exec(line)?.[0];
    if (!name) throw new Error(`bad sample line: ${line}`);
    if (!familyOf(name, family, type, openMetrics))
      throw new Error(`sample ${name} outside family ${family}`);
    let i = name.length;
    const labels: Record<string, string> = {};
    if (line[i] === '{') {
      i++;
      while (line[i] !== '}') {
        const label = LABEL_NAME.exec(line.slice(i))?.[0];
        if (!label || line[i + label.length] !== '=') throw new Error(`bad label at ${i}: ${line}`);
        if (Object.hasOwn(labels, label)) throw new Error(`duplicate label ${label}: ${line}`);
        const [value, next] = readQuoted(line, i + label.length + 1, '\\"n');
        labels[label] = value;
        i = next;
        if (line[i] === ',') i++;
        else if (line[i] !== '}') throw new Error(`expected , or } at ${i}: ${line}`);
      }
      i++;
    }
    if (line[i] !== ' ') throw new Error(`expected a space before the value: ${line}`);
    const valueText = line.slice(i + 1);
    if (!VALUE.test(valueText)) throw new Error(`bad value ${valueText}: ${line}`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seenSeries.has(key)) throw new Error(`duplicate series: ${line}`);
    seenSeries.add(key);
    const value = valueText.endsWith('Inf')
      ? (valueText.startsWith('-') ? -1 : 1) * Number.POSITIVE_INFINITY
      : Number(valueText);
    samples.push({ name, labels, value });
  }
  return samples;
}

function asLabelValue(value: AttributeValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** The scope name joined with attributes mapping to `otel_scope_name`, in original-key order (scope first on a tie). */
function expectedScopeName(attrs: Attributes, scopeName: string): string {
  const entries: Array<[string, string]> = [['otel_scope_name', scopeName]];
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined && sanitizeLabelName(key) === 'otel_scope_name')
      entries.push([key, asLabelValue(value)]);
  }
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return entries.map(([, value]) => value).join(';');
}

const attributeValue: fc.Arbitrary<AttributeValue> = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.double(),
  fc.boolean(),
  fc.array(fc.string(), { maxLength: 3 }),
);
const attributes: fc.Arbitrary<Attributes> = fc.dictionary(
  fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    fc.constantFrom('le', 'otel.scope.name', 'a.b', 'a_b'),
  ),
  attributeValue,
  { maxKeys: 6 },
);

describe('exposition of arbitrary attributes', () => {
  it('always parses strictly in both formats and keeps every unambiguous label value', async () => {
    await fc.assert(
      fc.asyncProperty(
        attributes,
        attributes,
        fc.string({ maxLength: 40 }),
        fc.double(),
        async (attrs, resourceAttrs, help, value) => {
          const reader = new PrometheusReader();
          const provider = new MeterProvider({
            readers: [reader],
            resource: resourceFromAttributes(resourceAttrs),
          });
          const meter = provider.getMeter('prop "scope"\n', '1\\0');
          meter.createCounter('prop.count', { description: help }).add(Math.abs(value) || 1, attrs);
          meter
            .createHistogram('prop.latency', { unit: 's', description: help })
            .record(Math.abs(value) || 0, attrs);
          meter.createGauge('prop.level', { unit: '1' }).record(value, attrs);
          const { resourceMetrics } = await reader.collect();
          for (const format of ['text', 'openmetrics'] as const) {
            const samples = parseExposition(renderExposition(resourceMetrics, format), format);
            const counter = samples.find((sample) => sample.name === 'prop_count_total');
            expect(counter?.labels.otel_scope_name).toBe(expectedScopeName(attrs, 'prop "scope"\n'));
            const byLabel = new Map<string, string[]>();
            for (const key of Object.keys(attrs)) {
              const label = sanitizeLabelName(key);
              byLabel.set(label, [...(byLabel.get(label) ?? []), key]);
            }
            for (const [label, keys] of byLabel) {
              const raw = attrs[keys[0] ?? ''];
              if (keys.length !== 1 || raw === undefined || label.startsWith('otel_scope_')) continue;
              expect(counter?.labels[label]).toBe(asLabelValue(raw));
            }
            const buckets = samples.filter((sample) => sample.name === 'prop_latency_seconds_bucket');
            expect(buckets.at(-1)?.labels.le).toBe('+Inf');
            expect(buckets.at(-1)?.value).toBe(1);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
