import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AlertEvaluatorError } from '../errors.ts';
import { compileAlertTemplate } from './alert-template.ts';

const data = { labels: { a: 'b' }, externalLabels: {}, externalURL: '', value: 1 };

describe('template parser', () => {
  it('either compiles or throws TEMPLATE_PARSE, for any input', () => {
    const piece = fc.oneof(
      fc.string(),
      fc.constantFrom(
        '{{',
        '}}',
        '{{-',
        '-}}',
        ' if ',
        ' end ',
        ' else ',
        ' range ',
        '$labels',
        '.Value',
        '"',
        '`',
        '|',
        '(',
        ')',
      ),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
        const text = parts.join('');
        try {
          compileAlertTemplate('p', text);
        } catch (err) {
          expect(err).toBeInstanceOf(AlertEvaluatorError);
          expect((err as AlertEvaluatorError).code).toBe('TEMPLATE_PARSE');
        }
      }),
    );
  });

  it('renders text without actions unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string().filter((s) => !s.includes('{{')),
        async (text) => {
          expect(await compileAlertTemplate('p', text).expand(data)).toBe(text);
        },
      ),
    );
  });

  it('renders any label value through $labels unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), async (value) => {
        const out = await compileAlertTemplate('p', '{{ $labels.a }}').expand({
          ...data,
          labels: { a: value },
        });
        expect(out).toBe(value);
      }),
    );
  });
});
