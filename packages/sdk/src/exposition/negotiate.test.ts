import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  negotiateExposition,
  OPENMETRICS_CONTENT_TYPE,
  PROTOBUF_CONTENT_TYPE,
  TEXT_CONTENT_TYPE,
} from './negotiate.ts';

const PROMETHEUS_2_42_NATIVE_HISTOGRAMS =
  'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const PROMETHEUS_2_42 =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

describe('negotiateExposition', () => {
  it('serves text 0.0.4 without an Accept header, for */* and for unknown types', () => {
    for (const accept of [undefined, '', '*/*', 'application/json', 'text/html, */*;q=0.8']) {
      expect(negotiateExposition(accept)).toEqual({ format: 'text', contentType: TEXT_CONTENT_TYPE });
    }
  });

  it('serves OpenMetrics 1.0.0 for the Accept header Prometheus 2.42 sends', () => {
    expect(negotiateExposition(PROMETHEUS_2_42)).toEqual({
      format: 'openmetrics',
      contentType: OPENMETRICS_CONTENT_TYPE,
    });
  });

  it('serves protobuf for the Accept header of Prometheus 2.42 with native histograms on', () => {
    expect(negotiateExposition(PROMETHEUS_2_42_NATIVE_HISTOGRAMS)).toEqual({
      format: 'protobuf',
      contentType: PROTOBUF_CONTENT_TYPE,
    });
  });

  it('serves protobuf only when named, for MetricFamily and the delimited encoding', () => {
    expect(negotiateExposition('application/vnd.google.protobuf').format).toBe('protobuf');
    expect(negotiateExposition('*/*, application/vnd.google.protobuf;q=0.5').format).toBe('text');
    for (const other of ['encoding=text', 'encoding=compact-text', 'proto=io.prometheus.client.Other']) {
      expect(negotiateExposition(`application/vnd.google.protobuf;${other}`).format).toBe('text');
    }
    expect(
      negotiateExposition(
        'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.4,application/openmetrics-text;q=0.6',
      ).format,
    ).toBe('openmetrics');
  });

  it('honours q-values: text wins when OpenMetrics is ranked lower', () => {
    expect(negotiateExposition('application/openmetrics-text;q=0.3, text/plain;q=0.9').format).toBe('text');
    expect(
      negotiateExposition('application/openmetrics-text;version=1.0.0;q=0.9,text/plain;q=0.3').format,
    ).toBe('openmetrics');
  });

  it('refuses OpenMetrics with q=0 and versions it does not produce', () => {
    expect(negotiateExposition('application/openmetrics-text;q=0').format).toBe('text');
    expect(negotiateExposition('application/openmetrics-text;version=0.0.1').format).toBe('text');
  });

  it('breaks a q-value tie by the order of the header', () => {
    expect(negotiateExposition('application/openmetrics-text, text/plain').format).toBe('openmetrics');
    expect(negotiateExposition('text/plain, application/openmetrics-text').format).toBe('text');
  });

  it('uses the most specific range for the q-value, ignoring case and spaces', () => {
    expect(
      negotiateExposition('Application/OpenMetrics-Text ; Version=1.0.0 ; q=0.8, */*;q=0.9, text/plain;q=0.2')
        .format,
    ).toBe('openmetrics');
  });

  it('answers any header with one of the three formats, never throwing (property)', () => {
    fc.assert(
      fc.property(fc.option(fc.string({ unit: 'binary' }), { nil: undefined }), (accept) => {
        expect([TEXT_CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE, PROTOBUF_CONTENT_TYPE]).toContain(
          negotiateExposition(accept).contentType,
        );
      }),
    );
  });

  it('picks the higher q-value, the earlier range on a tie, whatever unrelated ranges surround them (property)', () => {
    const q = fc.integer({ min: 0, max: 1000 }).map((n) => n / 1000);
    const unrelated = fc.array(
      fc.tuple(fc.constantFrom('application/json', 'text/html', 'application/xml', 'image/png'), q),
      { maxLength: 4 },
    );
    fc.assert(
      fc.property(q, q, fc.boolean(), unrelated, unrelated, (qOpen, qText, openFirst, before, after) => {
        const open = `application/openmetrics-text;version=1.0.0;q=${qOpen}`;
        const text = `text/plain;version=0.0.4;q=${qText}`;
        const ranges = [
          ...before.map(([type, weight]) => `${type};q=${weight}`),
          ...(openFirst ? [open, text] : [text, open]),
          ...after.map(([type, weight]) => `${type};q=${weight}`),
        ];
        const expected =
          qOpen > qText || (qOpen === qText && qOpen > 0 && openFirst) ? 'openmetrics' : 'text';
        expect(negotiateExposition(ranges.join(', ')).format).toBe(expected);
      }),
    );
  });
});
