import { describe, expect, it } from 'vitest';
import { combineGauge, createGaugePolicyLookup, type GaugeReading } from './gauge-policy.ts';

function reading(process: string, value: number, changedAt: number, end = 10): GaugeReading {
  return {
    process,
    changedAt,
    point: { attributes: { pool: 'db' }, startTime: [1, 0], endTime: [end, 0], value },
  };
}

describe('createGaugePolicyLookup', () => {
  it('takes the exact name, else the wildcard with the most literal characters, else sum', () => {
    const policyOf = createGaugePolicyLookup({
      '*': 'max',
      'pool.*': 'min',
      'pool.items.*': 'worker',
      'pool.items.idle': 'last',
    });
    expect(policyOf('pool.items.idle')).toBe('last');
    expect(policyOf('pool.items.used')).toBe('worker');
    expect(policyOf('pool.wait')).toBe('min');
    expect(policyOf('queue.depth')).toBe('max');
    expect(createGaugePolicyLookup({ 'pool.*': 'min' })('queue.depth')).toBe('sum');
  });
});

describe('combineGauge', () => {
  const readings = [reading('primary', 4, 3, 12), reading('1', 9, 1), reading('2', -2, 2)];

  it('sums, takes the lowest or the highest, with the latest end time', () => {
    expect(combineGauge('sum', readings)).toEqual([
      { attributes: { pool: 'db' }, startTime: [1, 0], endTime: [12, 0], value: 11 },
    ]);
    expect(combineGauge('min', readings)[0]?.value).toBe(-2);
    expect(combineGauge('max', readings)[0]?.value).toBe(9);
  });

  it('takes the reading that changed last', () => {
    expect(combineGauge('last', readings)[0]?.value).toBe(4);
  });

  it('keeps one series per process, labelled worker', () => {
    expect(combineGauge('worker', readings).map((point) => [point.attributes, point.value])).toEqual([
      [{ pool: 'db', worker: 'primary' }, 4],
      [{ pool: 'db', worker: '1' }, 9],
      [{ pool: 'db', worker: '2' }, -2],
    ]);
  });

  it('gives a frozen series the same labelled set scrape after scrape, and a mutable one a fresh copy', () => {
    const frozen = Object.freeze({ pool: 'db' });
    const at = (attributes: { pool: string }) =>
      combineGauge('worker', [
        { ...reading('1', 1, 1), point: { ...reading('1', 1, 1).point, attributes } },
      ])[0]?.attributes;
    expect(at(frozen)).toBe(at(frozen));
    expect(Object.isFrozen(at(frozen))).toBe(true);
    const mutable = { pool: 'db' };
    const before = at(mutable);
    mutable.pool = 'cache';
    expect([before, at(mutable)]).toEqual([
      { pool: 'db', worker: '1' },
      { pool: 'cache', worker: '1' },
    ]);
  });
});
