import { describe, expect, it } from 'vitest';
import { prometheusUnit } from './unit-suffix.ts';

describe('prometheusUnit', () => {
  it.each([
    ['s', 'seconds'],
    ['ms', 'milliseconds'],
    ['us', 'microseconds'],
    ['ns', 'nanoseconds'],
    ['min', 'minutes'],
    ['h', 'hours'],
    ['d', 'days'],
    ['By', 'bytes'],
    ['KiBy', 'kibibytes'],
    ['MiBy', 'mebibytes'],
    ['GiBy', 'gibibytes'],
    ['TiBy', 'tebibytes'],
    ['kBy', 'kilobytes'],
    ['KBy', 'kilobytes'],
    ['MBy', 'megabytes'],
    ['GBy', 'gigabytes'],
    ['TBy', 'terabytes'],
    ['m', 'meters'],
    ['V', 'volts'],
    ['A', 'amperes'],
    ['J', 'joules'],
    ['W', 'watts'],
    ['g', 'grams'],
    ['Cel', 'celsius'],
    ['Hz', 'hertz'],
    ['%', 'percent'],
  ])('maps the UCUM unit %s to %s', (unit, word) => {
    expect(prometheusUnit(unit, false)).toBe(word);
  });

  it('drops {annotations}, leaving no suffix for pure annotations', () => {
    expect(prometheusUnit('{request}', false)).toBe('');
    expect(prometheusUnit('{packet}By', false)).toBe('bytes');
  });

  it('turns x/y into x_per_y with the singular time word', () => {
    expect(prometheusUnit('By/s', false)).toBe('bytes_per_second');
    expect(prometheusUnit('m/h', true)).toBe('meters_per_hour');
    expect(prometheusUnit('{request}/s', false)).toBe('per_second');
    expect(prometheusUnit('1/mo', false)).toBe('per_month');
  });

  it('turns 1 into ratio for gauges only', () => {
    expect(prometheusUnit('1', true)).toBe('ratio');
    expect(prometheusUnit('1', false)).toBe('');
  });

  it('keeps an unknown unit as written, made safe for a metric name', () => {
    expect(prometheusUnit('widget', false)).toBe('widget');
    expect(prometheusUnit('req.s-1', false)).toBe('req_s_1');
    expect(prometheusUnit('  ', false)).toBe('');
  });
});
