import { describe, expect, it } from 'vitest';
import { negotiateExposition, OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE } from './negotiate.ts';

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
});
