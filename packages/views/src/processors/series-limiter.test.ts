import { describe, expect, it } from 'vitest';
import { ViewsError } from '../errors/views-error.ts';
import { createSeriesLimitView } from './series-limiter.ts';

describe('createSeriesLimitView', () => {
  it('rejects a wildcard instrument name, which would share one limiter between instruments', () => {
    expect(() => createSeriesLimitView({ instrumentName: 'http.*', limit: 10 })).toThrow(ViewsError);
    expect(() => createSeriesLimitView({ instrumentName: '*', limit: 10 })).toThrow(
      /one exact instrument name/,
    );
  });

  it('rejects limits below 1 or not whole', () => {
    expect(() => createSeriesLimitView({ instrumentName: 'jobs', limit: 0 })).toThrow(/limit/);
    expect(() => createSeriesLimitView({ instrumentName: 'jobs', limit: 2.5 })).toThrow(/limit/);
  });

  it('lifts the SDK limit two above its own for an exact instrument name', () => {
    const view = createSeriesLimitView({ instrumentName: 'jobs', meterName: 'worker', limit: 10 });
    expect(view).toMatchObject({
      instrumentName: 'jobs',
      meterName: 'worker',
      aggregationCardinalityLimit: 12,
    });
  });
});
