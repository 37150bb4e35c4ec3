/**
 * `rules convert`: the threshold form written as a Prometheus rule file must pass `promtool check rules`
 * (Prometheus 2.42) and load back into the same alerting rules.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkRuleText, convertThresholdRules } from '@yardstick/alert-evaluator';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { peer, tempDir } from './support/peers.ts';

const promtool = peer('promtool');
const source = join(import.meta.dirname, 'fixtures', 'rules', 'gpu-fleet.thresholds.yml');
const tmp = tempDir('yardstick-convert-');
afterAll(() => tmp.cleanup());

function convert() {
  const check = checkRuleText(source, readFileSync(source, 'utf8'), { channels: ['pager', 'chat'] });
  expect(check.problems).toEqual([]);
  return { check, conversion: convertThresholdRules(check.threshold!) };
}

describe('convertThresholdRules', () => {
  it('loads back into the same alerting rules, and warns about what Prometheus cannot express', () => {
    const { check, conversion } = convert();
    const back = checkRuleText('converted.yml', conversion.yaml);
    expect(back.problems).toEqual([]);
    const strip = (g: (typeof check.groups)[number]) =>
      g.rules.map((r) =>
        r.kind === 'alerting'
          ? { name: r.name, expr: r.expr, forMs: r.forMs, annotations: r.annotations }
          : r,
      );
    expect(strip(back.groups[0]!)).toEqual(strip(check.groups[0]!));
    expect(back.groups[0]).toMatchObject({ name: 'gpu-fleet', intervalMs: 30_000 });
    expect(conversion.warnings).toEqual([
      'GpuUtilizationLow: suppression_schedule "* 0-5 * * *" has no Prometheus equivalent; configure an Alertmanager mute_time_interval',
    ]);
  });

  it.skipIf(promtool.skipReason !== undefined)('writes a file promtool check rules accepts', () => {
    const { conversion } = convert();
    const out = join(tmp.dir, 'converted.yml');
    writeFileSync(out, conversion.yaml);
    const res = spawnSync(promtool.path!, ['check', 'rules', out], { encoding: 'utf8', timeout: 30_000 });
    expect(res.status, `${res.stdout}${res.stderr}`).toBe(0);
    expect(res.stdout).toContain('SUCCESS: 2 rules found');
  });

  it.skipIf(promtool.skipReason !== undefined)(
    'converts any threshold file it accepts into a file promtool check rules accepts (property)',
    () => {
      const text = fc.string({ minLength: 1, maxLength: 30 });
      const rule = fc.record({
        name: text,
        query: fc.constantFrom(
          'max by (pool, region) (inference_queue_depth)',
          'sum(rate(http_requests_total{code=~"5..", path="/a#b: c"}[5m])) / sum(rate(http_requests_total[5m]))',
          'up == 0 or vector(1)',
          '- gpu_temperature_celsius offset 1m',
          'histogram_quantile(0.99, sum by (le) (rate(latency_seconds_bucket[5m])))',
        ),
        threshold: fc.oneof(
          fc.integer({ min: -1_000_000, max: 1_000_000 }),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
        ),
        comparison: fc.constantFrom(
          'greater_than',
          'less_than',
          'equal',
          'greater_than_equal',
          'less_than_equal',
        ),
        duration: fc.constantFrom('0s', '30s', '1m', '1h30m', '2d'),
        keep_firing_for: fc.option(fc.constantFrom('0s', '5m', '1w'), { nil: undefined }),
        severity: fc.constantFrom('info', 'warning', 'critical'),
        summary: fc.tuple(text, text).map(([a, b]) => `${a} on {{ $labels.pool }}: ${b}`.padEnd(10, '.')),
        description: text.map((t) => `{{ humanize $value }} {{ "quoted: #" }} ${t}`.padEnd(20, '.')),
        labels: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/), text, { maxKeys: 3 }),
        notification_channels: fc.subarray(['pager', 'chat'], { minLength: 1 }),
      });
      const file = join(tmp.dir, 'property.yml');
      fc.assert(
        fc.property(
          fc.uniqueArray(rule, { minLength: 1, maxLength: 8, selector: (r) => r.name }),
          (alerts) => {
            const source = stringify({ group: 'property', alerts });
            const check = checkRuleText('property.thresholds.yml', source, { channels: ['pager', 'chat'] });
            fc.pre(check.problems.length === 0 && check.threshold !== undefined);
            writeFileSync(file, convertThresholdRules(check.threshold!).yaml);
            const res = spawnSync(promtool.path!, ['check', 'rules', file], {
              encoding: 'utf8',
              timeout: 30_000,
            });
            expect(res.status, `${res.stdout}${res.stderr}\n${readFileSync(file, 'utf8')}`).toBe(0);
          },
        ),
        { numRuns: 25 },
      );
    },
    60_000,
  );

  it.skipIf(promtool.skipReason !== undefined)(
    'agrees with promtool check rules on the fixture rule file',
    () => {
      const file = join(import.meta.dirname, 'fixtures', 'rules', 'capacity.rules.yml');
      const res = spawnSync(promtool.path!, ['check', 'rules', file], { encoding: 'utf8', timeout: 30_000 });
      expect(res.status).toBe(0);
      expect(checkRuleText(file, readFileSync(file, 'utf8')).problems).toEqual([]);
    },
  );

  const invalid: Record<string, string> = {
    'bad duration':
      'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        for: 5 minutes\n',
    'bad expression': 'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: sum(up\n',
    'recording rule with annotations':
      'groups:\n  - name: g\n    rules:\n      - record: a:b\n        expr: up\n        annotations: { a: b }\n',
    'repeated group': 'groups:\n  - name: g\n    rules: []\n  - name: g\n    rules: []\n',
    'both record and alert':
      'groups:\n  - name: g\n    rules:\n      - alert: A\n        record: b\n        expr: up\n',
    'unknown field':
      'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        severity: x\n',
    'bad label name':
      'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        labels: { "a-b": x }\n',
    'reserved label name':
      'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        labels: { __name__: x }\n',
    'template that does not parse':
      'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        annotations: { s: "{{ nosuch }}" }\n',
  };

  it.skipIf(promtool.skipReason !== undefined).each(Object.keys(invalid))(
    'rejects a rule file with a %s, as promtool does',
    (name) => {
      const file = join(tmp.dir, `${name.replace(/ /g, '-')}.yml`);
      writeFileSync(file, invalid[name]!);
      const res = spawnSync(promtool.path!, ['check', 'rules', file], { encoding: 'utf8', timeout: 30_000 });
      expect(res.status, `${res.stdout}${res.stderr}`).not.toBe(0);
      expect(checkRuleText(file, invalid[name]!).problems.length).toBeGreaterThan(0);
    },
  );

  it.skipIf(promtool.skipReason !== undefined)(
    'accepts and rejects generated rule files exactly as promtool check rules does (property)',
    () => {
      const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
      const duration = fc.constantFrom(
        '5m',
        '0',
        '0s',
        '1h30m',
        '1.5m',
        '5min',
        '-1m',
        '1w2d',
        '2d1w',
        '',
        5,
      );
      const labelName = fc.constantFrom('severity', 'bad-label', '__name__', '__meta', '1x', '');
      const labelValue = fc.constantFrom('x', '', '{{ $labels.x }}', '{{ bad', '{{ nosuch }}', '{{ .Foo }}');
      const expr = fc.constantFrom(
        'up',
        'sum(up',
        'rate(up[5m])',
        'up[5m]',
        '"str"',
        '1',
        'foo{',
        'up offset -5m',
        'rate(up)',
        '{}',
        'up{__name__="a"}',
        'sum(up) by',
        '',
      );
      const rule = fc.record(
        {
          alert: opt(fc.constantFrom('Good', 'with space', '', '  ', 'a:b')),
          record: opt(fc.constantFrom('job:up:sum', 'bad name', '1abc', ':colon', '')),
          expr: opt(expr),
          for: opt(duration),
          keep_firing_for: opt(duration),
          labels: opt(fc.dictionary(labelName, labelValue, { maxKeys: 2 })),
          annotations: opt(fc.dictionary(labelName, labelValue, { maxKeys: 2 })),
        },
        { requiredKeys: [] },
      );
      const group = fc.record(
        {
          name: fc.constantFrom('g', 'h', ''),
          interval: opt(duration),
          limit: opt(fc.constantFrom(0, 5, -1, 1.5)),
          rules: fc.array(rule, { maxLength: 3 }),
        },
        { requiredKeys: ['name'] },
      );
      const file = join(tmp.dir, 'generated.rules.yml');
      fc.assert(
        fc.property(fc.array(group, { minLength: 1, maxLength: 2 }), (groups) => {
          const text = stringify({ groups });
          writeFileSync(file, text);
          const res = spawnSync(promtool.path!, ['check', 'rules', file], {
            encoding: 'utf8',
            timeout: 30_000,
          });
          const ours = checkRuleText(file, text).problems.map((p) => p.message);
          expect(ours.length > 0, `promtool: ${res.stdout}${res.stderr}\nours: ${ours.join('; ')}`).toBe(
            res.status !== 0,
          );
        }),
        { numRuns: 40 },
      );
    },
    120_000,
  );

  it.skipIf(promtool.skipReason !== undefined)(
    'accepts a range-vector rule as promtool does, with a warning',
    () => {
      const text = 'groups:\n  - name: g\n    rules:\n      - record: a:b\n        expr: up[5m]\n';
      const file = join(tmp.dir, 'range.yml');
      writeFileSync(file, text);
      const res = spawnSync(promtool.path!, ['check', 'rules', file], { encoding: 'utf8', timeout: 30_000 });
      expect(res.status).toBe(0);
      const check = checkRuleText(file, text);
      expect(check.problems).toEqual([]);
      expect(check.warnings[0]?.message).toMatch(/fails at every evaluation/);
    },
  );

  const valid: Record<string, string> = {
    'reserved-looking label, numeric label value, for 0s and a duplicate alert':
      'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        for: 0s\n' +
      '        labels: { __foo: x, num: 1 }\n        annotations: { x: "{{ $value | humanize }}" }\n' +
      '      - record: a:b\n        expr: "1"\n      - alert: A\n        expr: up\n  - name: empty\n    rules: []\n',
    'empty file': '',
    'no groups': 'groups: []\n',
    'an empty record next to an alert, and a blank alert name':
      'groups:\n  - name: g\n    rules:\n      - alert: A\n        record: ""\n        expr: up\n' +
      '      - alert: "  "\n        expr: up\n',
    'a fractional limit and a negative one, which Go reads as 1 and as no limit':
      'groups:\n  - name: g\n    limit: 1.5\n    rules:\n      - alert: A\n        expr: up\n' +
      '  - name: h\n    limit: -1\n    rules:\n      - alert: A\n        expr: up\n',
    'interval, limit, spaces in the alert name and keep_firing_for':
      'groups:\n  - name: g\n    interval: 90s\n    limit: 10\n    rules:\n' +
      '      - alert: "Weird name with spaces"\n        expr: vector(1)\n        keep_firing_for: 1h\n',
  };

  it.skipIf(promtool.skipReason !== undefined).each(Object.keys(valid))(
    'accepts a file with %s, as promtool does',
    (name) => {
      const file = join(tmp.dir, `valid-${name.replace(/\W+/g, '-')}.yml`);
      writeFileSync(file, valid[name]!);
      const res = spawnSync(promtool.path!, ['check', 'rules', file], { encoding: 'utf8', timeout: 30_000 });
      expect(res.status, `${res.stdout}${res.stderr}`).toBe(0);
      expect(checkRuleText(file, valid[name]!).problems).toEqual([]);
    },
  );
});
