import { describe, expect, it } from 'vitest';
import { createKeyFilterProcessor } from './key-filter.ts';

describe('createKeyFilterProcessor', () => {
  it('keeps only allowed keys, then removes denied ones', () => {
    const processor = createKeyFilterProcessor({ allow: ['a', 'b'], deny: ['b'] });
    expect(processor.process({ a: 1, b: 2, c: 3 })).toEqual({ a: 1 });
  });

  it('returns the same object when every key may stay', () => {
    const attributes = { a: 1 };
    expect(createKeyFilterProcessor({ deny: ['x'] }).process(attributes)).toBe(attributes);
    expect(createKeyFilterProcessor({}).process(attributes)).toBe(attributes);
  });

  it('keeps nothing with an empty allow list', () => {
    expect(createKeyFilterProcessor({ allow: [] }).process({ a: 1 })).toEqual({});
  });
});
