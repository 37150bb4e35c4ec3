import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isValidLabelName,
  isValidMetricName,
  sanitizeLabelName,
  sanitizeMetricName,
} from './prometheus-names.ts';

const anyName = fc.string({ unit: 'grapheme', maxLength: 40 });
const asciiName = fc.string({ maxLength: 40 });

describe('sanitizeLabelName', () => {
  it('maps OTel semantic-convention keys to the names Prometheus shows', () => {
    expect(sanitizeLabelName('http.route')).toBe('http_route');
    expect(sanitizeLabelName('http.request.method')).toBe('http_request_method');
    expect(sanitizeLabelName('service_name')).toBe('service_name');
  });

  it('collapses runs of invalid characters and underscores into one underscore, as the spec requires', () => {
    expect(sanitizeLabelName('a..b')).toBe('a_b');
    expect(sanitizeLabelName('a._b')).toBe('a_b');
    expect(sanitizeLabelName('a__b')).toBe('a_b');
    expect(sanitizeLabelName('__reserved')).toBe('_reserved');
    expect(sanitizeLabelName('ключ.x')).toBe('_x');
  });

  it('prefixes a name that would start with a digit', () => {
    expect(sanitizeLabelName('1.label')).toBe('_1_label');
    expect(sanitizeLabelName('')).toBe('_');
  });

  it('always returns a valid label name without consecutive underscores', () => {
    fc.assert(
      fc.property(fc.oneof(anyName, asciiName), (key) => {
        const out = sanitizeLabelName(key);
        expect(isValidLabelName(out)).toBe(true);
        expect(out.includes('__')).toBe(false);
      }),
    );
  });

  it('is idempotent and leaves already clean names alone', () => {
    fc.assert(
      fc.property(fc.oneof(anyName, asciiName), (key) => {
        const once = sanitizeLabelName(key);
        expect(sanitizeLabelName(once)).toBe(once);
        if (isValidLabelName(key) && !key.includes('__')) expect(once).toBe(key);
      }),
    );
  });

  it('keeps every valid character where it was', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,20}$/),
        fc.stringMatching(/^[a-z0-9]{1,10}$/),
        (a, b) => {
          expect(sanitizeLabelName(`${a}.${b}`)).toBe(`${a}_${b}`);
        },
      ),
    );
  });
});

describe('sanitizeMetricName', () => {
  it('keeps colons, which metric names allow and label names do not', () => {
    expect(sanitizeMetricName('job:http_requests:rate5m')).toBe('job:http_requests:rate5m');
    expect(sanitizeLabelName('job:http')).toBe('job_http');
  });

  it('translates dotted OTel instrument names', () => {
    expect(sanitizeMetricName('http.server.request.duration')).toBe('http_server_request_duration');
    expect(sanitizeMetricName('2xx.count')).toBe('_2xx_count');
    expect(sanitizeMetricName('a-/-b')).toBe('a_b');
  });

  it('always returns a valid, idempotent metric name without consecutive underscores', () => {
    fc.assert(
      fc.property(fc.oneof(anyName, asciiName), (name) => {
        const out = sanitizeMetricName(name);
        expect(isValidMetricName(out)).toBe(true);
        expect(out.includes('__')).toBe(false);
        expect(sanitizeMetricName(out)).toBe(out);
      }),
    );
  });
});
