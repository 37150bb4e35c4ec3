import { describe, expect, it } from 'vitest';
import { SCOPE_LABELS } from './attribute-labels.ts';
import { LabelRenderer } from './label-renderer.ts';

describe('LabelRenderer', () => {
  it('sanitizes attribute keys and orders labels by name', () => {
    const renderer = new LabelRenderer(SCOPE_LABELS);
    expect(renderer.render({ 'http.route': '/a', 'b-key': 'x', '9lives': 'cat' }, 'series')).toBe(
      '_9lives="cat",b_key="x",http_route="/a"',
    );
  });

  it('joins values of keys that collide after sanitization with ; in sorted key order', () => {
    const renderer = new LabelRenderer(SCOPE_LABELS);
    expect(renderer.render({ 'a.b': 'dot', a_b: 'underscore', 'a-b': 'dash' }, 'series')).toBe(
      'a_b="dash;dot;underscore"',
    );
  });

  it('writes numbers and booleans as text and arrays as JSON, escaping the result', () => {
    const renderer = new LabelRenderer([]);
    expect(renderer.render({ n: 1.5, ok: true, list: ['x', 'y"z'] }, 'series')).toBe(
      'list="[\\"x\\",\\"y\\\\\\"z\\"]",n="1.5",ok="true"',
    );
  });

  it('drops attributes that would clash with labels the exposition writes itself', () => {
    const renderer = new LabelRenderer(SCOPE_LABELS);
    const attributes = { 'otel.scope.name': 'fake', le: '5', keep: 'yes' };
    expect(renderer.render(attributes, 'series')).toBe('keep="yes",le="5"');
    expect(renderer.render(attributes, 'histogram')).toBe('keep="yes"');
  });

  it('never produces a label name starting with __, which Prometheus reserves', () => {
    expect(new LabelRenderer([]).render({ __name__: 'x' }, 'series')).toBe('_name_="x"');
  });

  it('keeps scope-named attributes on target_info, which has no scope labels', () => {
    const renderer = new LabelRenderer(SCOPE_LABELS);
    expect(renderer.render({ 'otel.scope.name': 'x' }, 'target')).toBe('otel_scope_name="x"');
  });

  it('renders an empty attribute set as no labels and skips undefined values', () => {
    const renderer = new LabelRenderer([]);
    expect(renderer.render({}, 'series')).toBe('');
    expect(renderer.render({ gone: undefined }, 'series')).toBe('');
  });

  it('returns the same string for the same attributes object on later calls', () => {
    const renderer = new LabelRenderer([]);
    const attributes = { route: '/a' };
    const first = renderer.render(attributes, 'series');
    expect(renderer.render(attributes, 'series')).toBe(first);
    expect(renderer.render({ route: '/b' }, 'series')).toBe('route="/b"');
  });
});
