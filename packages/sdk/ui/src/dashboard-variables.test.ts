import { describe, expect, it } from 'vitest';
import { interpolate, MATCH_NOTHING, variableText } from './dashboard-variables.ts';

const range = { seconds: 21_600, step: 86 };

describe('dashboard variables', () => {
  it('replaces $name and the braced form, and leaves unknown names as written', () => {
    const values = new Map([['job', 'checkout']]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's ${name} syntax, not a template literal
    expect(interpolate('up{job=~"$job"} + on() ${job}_x + $other', values, range)).toBe(
      'up{job=~"checkout"} + on() checkout_x + $other',
    );
  });

  it('fills the interval built-ins as Grafana does with its default 15 s scrape interval', () => {
    expect(interpolate('rate(x[$__rate_interval]) $__interval $__range', new Map(), range)).toBe(
      'rate(x[101s]) 86s 21600s',
    );
    expect(interpolate('rate(x[$__rate_interval])', new Map(), { seconds: 300, step: 1 })).toBe(
      'rate(x[60s])',
    );
  });

  it('joins several values into a regex alternation, escaping regex characters for a PromQL string', () => {
    expect(variableText(['a'])).toBe('a');
    expect(variableText(['api.v1', 'web'])).toBe('(api\\\\.v1|web)');
  });

  it('gives a variable with no values a regex that matches no label value, not even an absent label', () => {
    // Anchored as Prometheus anchors a label matcher's regex.
    const anchored = new RegExp(`^(?:${MATCH_NOTHING})$`, 's');
    for (const value of ['', 'a', '.^', '\n', 'checkout']) expect(anchored.test(value), value).toBe(false);
  });
});
