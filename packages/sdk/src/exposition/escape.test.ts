import { describe, expect, it } from 'vitest';
import { escapeHelp, escapeLabelValue } from './escape.ts';

describe('escapeLabelValue', () => {
  it('escapes backslash, double quote and newline', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
  });

  it('returns other text unchanged, including non-ASCII', () => {
    expect(escapeLabelValue('/users/{id} ünïcode ✓')).toBe('/users/{id} ünïcode ✓');
  });
});

describe('escapeHelp', () => {
  it('escapes backslash and newline but not quotes in text 0.0.4', () => {
    expect(escapeHelp('say "hi"\\\nbye', false)).toBe('say "hi"\\\\\\nbye');
  });

  it('also escapes double quotes in OpenMetrics', () => {
    expect(escapeHelp('say "hi"\nbye', true)).toBe('say \\"hi\\"\\nbye');
  });
});
