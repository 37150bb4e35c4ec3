import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createValueBudgetProcessor } from './value-budget.ts';

describe('createValueBudgetProcessor', () => {
  it('keeps the first K distinct values, maps every later one to the other value, and leaves other keys alone', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(
          fc.oneof(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'), fc.integer({ min: 0, max: 3 })),
        ),
        (maxValues, values) => {
          const processor = createValueBudgetProcessor({ key: 'tenant', maxValues, otherValue: 'rest' });
          const firstSeen: unknown[] = [];
          for (const value of values) {
            if (!firstSeen.includes(value)) firstSeen.push(value);
            const out = processor.process({ tenant: value, region: 'eu' });
            const kept = firstSeen.indexOf(value) < maxValues;
            expect(out).toEqual({ tenant: kept ? value : 'rest', region: 'eu' });
          }
        },
      ),
    );
  });

  it('uses __other__ by default and ignores sets without the key', () => {
    const processor = createValueBudgetProcessor({ key: 'k', maxValues: 1 });
    expect(processor.process({ k: 'x' })).toEqual({ k: 'x' });
    expect(processor.process({ k: 'y' })).toEqual({ k: '__other__' });
    expect(processor.process({ j: 'y' })).toEqual({ j: 'y' });
  });

  it('tells arrays apart by content and numbers apart from strings', () => {
    const processor = createValueBudgetProcessor({ key: 'k', maxValues: 2 });
    expect(processor.process({ k: ['a', 'b'] })).toEqual({ k: ['a', 'b'] });
    expect(processor.process({ k: ['a', 'b'] })).toEqual({ k: ['a', 'b'] });
    expect(processor.process({ k: 1 })).toEqual({ k: 1 });
    expect(processor.process({ k: '1' })).toEqual({ k: '__other__' });
  });
});
