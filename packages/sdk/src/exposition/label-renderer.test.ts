import { describe, expect, it } from 'vitest';
import { SCOPE_LABELS } from './attribute-labels.ts';
import { renderLabels, renderSeriesLabels, type ScopeLabels } from './label-renderer.ts';

const RESERVED = new Set(['__name__', ...SCOPE_LABELS]);
const NOTHING = new Set<string>();

describe('renderLabels', () => {
  it('sanitizes attribute keys and orders labels by name', () => {
    expect(renderLabels({ 'http.route': '/a', 'b-key': 'x', '9lives': 'cat' }, false, RESERVED)).toBe(
      '_9lives="cat",b_key="x",http_route="/a"',
    );
  });

  it('joins values of keys that collide after sanitization with ; in sorted key order', () => {
    expect(renderLabels({ 'a.b': 'dot', a_b: 'underscore', 'a-b': 'dash' }, false, RESERVED)).toBe(
      'a_b="dash;dot;underscore"',
    );
  });

  it('writes numbers and booleans as text and arrays as JSON, escaping the result', () => {
    expect(renderLabels({ n: 1.5, ok: true, list: ['x', 'y"z'] }, false, NOTHING)).toBe(
      'list="[\\"x\\",\\"y\\\\\\"z\\"]",n="1.5",ok="true"',
    );
  });

  it('drops attributes that would clash with labels the exposition writes itself', () => {
    const attributes = { 'otel.scope.name': 'fake', le: '5', keep: 'yes' };
    expect(renderLabels(attributes, false, RESERVED)).toBe('keep="yes",le="5"');
    expect(renderLabels(attributes, true, RESERVED)).toBe('keep="yes"');
    expect(renderLabels(attributes, false, NOTHING)).toBe('keep="yes",le="5",otel_scope_name="fake"');
  });

  it('never produces a label name starting with __, which Prometheus reserves', () => {
    expect(renderLabels({ __name__: 'x' }, false, NOTHING)).toBe('_name_="x"');
  });

  it('renders an empty attribute set as no labels and skips undefined values', () => {
    expect(renderLabels({}, false, NOTHING)).toBe('');
    expect(renderLabels({ gone: undefined }, false, NOTHING)).toBe('');
  });
});

describe('renderSeriesLabels', () => {
  const scope: ScopeLabels = {
    text: 'otel_scope_name="lib \\"x\\"",otel_scope_version="1"',
    pairs: [
      ['otel_scope_name', 'lib "x"'],
      ['otel_scope_version', '1'],
    ],
  };

  it('appends the scope labels after the attribute labels', () => {
    expect(renderSeriesLabels({ 'http.route': '/a' }, false, scope)).toBe(`http_route="/a",${scope.text}`);
    expect(renderSeriesLabels({}, false, scope)).toBe(scope.text);
  });

  it('joins an attribute mapping to a scope label with it, by original key, escaping the result', () => {
    expect(renderSeriesLabels({ 'otel.scope.name': 'a"b', z: '1' }, false, scope)).toBe(
      'otel_scope_name="a\\"b;lib \\"x\\"",otel_scope_version="1",z="1"',
    );
    expect(renderSeriesLabels({ otel_scope_version: '2' }, false, scope)).toBe(
      'otel_scope_name="lib \\"x\\"",otel_scope_version="1;2"',
    );
  });

  it('keeps every attribute when there are no scope labels, le excepted for histograms', () => {
    const none: ScopeLabels = { text: '', pairs: [] };
    expect(renderSeriesLabels({ 'otel.scope.name': 'x', le: '1' }, true, none)).toBe('otel_scope_name="x"');
  });
});
