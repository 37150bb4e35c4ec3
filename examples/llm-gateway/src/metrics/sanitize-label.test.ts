import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LabelCache, sanitizeLabel } from './sanitize-label.ts';

const PROMETHEUS_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

describe('sanitizeLabel', () => {
  it('keeps valid names and replaces special characters and a leading digit as the spec shows', () => {
    expect(sanitizeLabel('ollama_local')).toBe('ollama_local');
    expect(sanitizeLabel('ollama-local:11434')).toBe('ollama_local_11434');
    expect(sanitizeLabel('model/gpt-4')).toBe('model_gpt_4');
    expect(sanitizeLabel('llama3:70b')).toBe('llama3_70b');
    expect(sanitizeLabel('3b-instruct')).toBe('_3b_instruct');
    expect(sanitizeLabel('')).toBe('_');
    expect(sanitizeLabel('qwen😀')).toBe('qwen_');
  });

  it('always gives a value matching the Prometheus name regex, idempotently, one character per code point', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (name) => {
        const label = sanitizeLabel(name);
        expect(label).toMatch(PROMETHEUS_NAME);
        expect(sanitizeLabel(label)).toBe(label);
        const codePoints = [...name].length;
        const leadingDigit = /^[0-9]/.test(name);
        expect(label.length).toBe(codePoints === 0 ? 1 : codePoints + (leadingDigit ? 1 : 0));
      }),
      { numRuns: 2_000 },
    );
  });

  it('leaves a name that already matches the regex unchanged', () => {
    fc.assert(
      fc.property(fc.stringMatching(PROMETHEUS_NAME), (name) => {
        expect(sanitizeLabel(name)).toBe(name);
      }),
    );
  });

  it('caches: the same answer for the same name', () => {
    const cache = new LabelCache();
    expect(cache.get('gpt-4o')).toBe('gpt_4o');
    expect(cache.get('gpt-4o')).toBe('gpt_4o');
  });
});
