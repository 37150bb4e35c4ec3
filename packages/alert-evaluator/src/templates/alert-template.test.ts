import { describe, expect, it } from 'vitest';
import { AlertEvaluatorError } from '../errors.ts';
import { compileAlertTemplate } from './alert-template.ts';
import type { TemplateQueryResult } from './template-functions.ts';

const data = {
  labels: { pool: 'gpu-a', region: 'eu-west', instance: 'host-1.example.com:9100' },
  externalLabels: { cluster: 'prod' },
  externalURL: 'http://prom.example:9090/prefix',
  value: 12345.6,
};

async function render(text: string, value = data.value, extra: Partial<typeof data> = {}): Promise<string> {
  return compileAlertTemplate('t', text).expand({ ...data, ...extra, value });
}

// Expected outputs are what Prometheus 2.42 renders (template/template_test.go and Go's fmt).
const table: readonly [string, number, string][] = [
  ['{{ humanize $value }}', 12345.6, '12.35k'],
  ['{{ humanize 0.0 }}:{{ humanize 1.0 }}:{{ humanize 1234567.0 }}:{{ humanize .12 }}', 0, '0:1:1.235M:120m'],
  ['{{ humanize 0.0001 }}|{{ humanize -2500.0 }}|{{ humanize 1e27 }}', 0, '100u|-2.5k|1000Y'],
  [
    '{{ humanize1024 0.0 }}:{{ humanize1024 1.0 }}:{{ humanize1024 1048576.0 }}:{{ humanize1024 .12 }}',
    0,
    '0:1:1Mi:0.12',
  ],
  ['{{ humanizePercentage $value }}', 0.256, '25.6%'],
  [
    '{{ humanizePercentage 0.1234567 }}:{{ humanizePercentage 1.23456 }}:{{ humanizePercentage 12.3456 }}',
    0,
    '12.35%:123.5%:1235%',
  ],
  ['{{ humanizeDuration $value }}', 3725, '1h 2m 5s'],
  [
    '{{ humanizeDuration 0.0 }}:{{ humanizeDuration 60.0 }}:{{ humanizeDuration 86400.0 }}',
    0,
    '0s:1m 0s:1d 0h 0m 0s',
  ],
  ['{{ humanizeDuration -183845.0 }}:{{ humanizeDuration 899.99 }}', 0, '-2d 3h 4m 5s:14m 59s'],
  [
    '{{ humanizeDuration .1 }}:{{ humanizeDuration .0001 }}:{{ humanizeDuration .12345 }}',
    0,
    '100ms:100us:123.5ms',
  ],
  [
    '{{ humanizeDuration 60.5 }}:{{ humanizeDuration 1.2345 }}:{{ humanizeDuration 12.345 }}',
    0,
    '1m 0s:1.234s:12.35s',
  ],
  // Beyond 2^53 seconds the parts are still exact; from 2^63 Go's int64 conversion overflows (amd64).
  ['{{ humanizeDuration $value }}', 2 ** 60, '13343998895912d 13h 56m 16s'],
  ['{{ humanizeDuration $value }}', 1e19, '-106751991167300d -15h -30m -8s'],
  ['{{ printf "%.0f|%.1f" $value 1e22 }}', 2 ** 70, '1180591620717411303424|10000000000000000000000.0'],
  ['{{ humanizeTimestamp 1435065584.128 }}', 0, '2015-06-23 13:19:44.128 +0000 UTC'],
  ['{{ humanizeTimestamp 0.0 }}', 0, '1970-01-01 00:00:00 +0000 UTC'],
  ['{{ humanize "1234567" }}', 0, '1.235M'],
  ['{{ $value }}', 12345.6, '12345.6'],
  ['{{ $value }}', 1e6, '1e+06'],
  ['{{ $value }}', 123456, '123456'],
  ['{{ $value }}', 0.00001, '1e-05'],
  ['{{ .Value }}', Number.POSITIVE_INFINITY, '+Inf'],
  ['{{ $value }}', Number.NaN, 'NaN'],
  ['{{ printf "%.2f" $value }}', 1.005, '1.00'],
  ['{{ printf "%.2f" $value }}', 0.125, '0.12'],
  ['{{ printf "%.1f" $value }}', 0.25, '0.2'],
  ['{{ printf "%f" $value }}', 2.5, '2.500000'],
  ['{{ printf "%d items" 3 }}', 0, '3 items'],
  ['{{ printf "%d" $value }}', 3, '%!d(float64=3)'],
  ['{{ printf "%s on %s" $labels.pool $labels.region }}', 0, 'gpu-a on eu-west'],
  ['{{ printf "%q" "a\\"b" }}', 0, '"a\\"b"'],
  ['{{ printf "%v|%v" $value "x" }}', 1234567, '1.234567e+06|x'],
  ['{{ printf "%5.1f|%-4s|" $value "ab" }}', 3.25159, '  3.3|ab  |'],
  ['{{ printf "%.4g" $value }}', 123456, '1.235e+05'],
  ['{{ printf "%e" $value }}', 1234.5678, '1.234568e+03'],
  ['{{ printf "%s" }}', 0, '%!s(MISSING)'],
  ['{{ .Labels.pool }}/{{ $labels.region }}/{{ $externalLabels.cluster }}', 0, 'gpu-a/eu-west/prod'],
  ['{{ $labels.missing }}|{{ index $labels "missing" }}', 0, '|'],
  [
    '{{ $labels.pool | toUpper }} {{ "A-B" | toLower }} {{ title "hello big world" }}',
    0,
    'GPU-A a-b Hello Big World',
  ],
  ['{{ reReplaceAll "^(.*):\\\\d+$" "$1" $labels.instance }}', 0, 'host-1.example.com'],
  ['{{ reReplaceAll "(a+)" "<$' + '{1}>" "caab" }}', 0, 'c<aa>b'],
  ['{{ if match "^gpu-" $labels.pool }}gpu{{ else }}cpu{{ end }}', 0, 'gpu'],
  ['{{ if gt $value 100.0 }}high{{ else if gt $value 10.0 }}mid{{ else }}low{{ end }}', 50, 'mid'],
  ['{{ if and (gt $value 1.0) (lt $value 3.0) }}in{{ end }}', 2, 'in'],
  ['{{ if not (eq $labels.pool "cpu") }}not cpu{{ end }}', 0, 'not cpu'],
  ['{{ if eq $labels.pool "x" "gpu-a" }}one of{{ end }}', 0, 'one of'],
  [
    '{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}',
    0,
    'instance=host-1.example.com:9100;pool=gpu-a;region=eu-west;',
  ],
  ['{{ range $externalLabels }}[{{ . }}]{{ end }}', 0, '[prod]'],
  [
    '{{ with $labels.pool }}pool {{ . }}{{ end }}{{ with $labels.nope }}x{{ else }}none{{ end }}',
    0,
    'pool gpu-anone',
  ],
  ['{{ $x := "a" }}{{ if true }}{{ $x = "b" }}{{ end }}{{ $x }}', 0, 'b'],
  ['a  {{- " b " -}}  c', 0, 'a b c'],
  ['{{/* a comment */}}ok', 0, 'ok'],
  ['{{ len $labels }} {{ len "héllo" }} {{ index $labels "pool" }}', 0, '3 6 gpu-a'],
  [
    '{{ stripPort $labels.instance }} {{ stripDomain $labels.instance }}',
    0,
    'host-1.example.com host-1:9100',
  ],
  [
    '{{ $externalURL }} {{ externalURL }} {{ pathPrefix }}',
    0,
    'http://prom.example:9090/prefix http://prom.example:9090/prefix /prefix',
  ],
  ['{{ print 1 2 "x" 3 }}', 0, '1 2x3'],
  ['{{ $value | humanize | printf "%s!" }}', 2048, '2.048k!'],
  ['plain text, no actions', 0, 'plain text, no actions'],
];

describe('alert templates', () => {
  it.each(table)('renders %s with value %d as Prometheus does', async (text, value, expected) => {
    expect(await render(text, value)).toBe(expected);
  });

  it('runs query, first, value, label, sortByLabel and strvalue against the query hook', async () => {
    const t = compileAlertTemplate(
      'q',
      '{{ with query "up" }}{{ . | first | value }}{{ end }}|' +
        '{{ range query "up" | sortByLabel "job" }}{{ label "job" . }},{{ end }}|' +
        '{{ query "up" | first | strvalue }}',
    );
    const out = await t.expand({
      ...data,
      query: async (expr): Promise<TemplateQueryResult[]> => {
        expect(expr).toBe('up');
        return [
          { labels: { job: 'web', __value__: 'raw' }, value: 3 },
          { labels: { job: 'api' }, value: 1 },
        ];
      },
    });
    expect(out).toBe('3|api,web,|raw');
  });

  it('reports unknown functions, undefined variables and missing ends as parse errors', () => {
    for (const bad of [
      '{{ nope $value }}',
      '{{ $undefinedVar }}',
      '{{ if true }}x',
      '{{ end }}',
      '{{ "unterminated }}',
    ]) {
      expect(() => compileAlertTemplate('bad', bad)).toThrow(AlertEvaluatorError);
    }
    try {
      compileAlertTemplate('ann', 'line1\n{{ nope }}');
    } catch (err) {
      expect((err as AlertEvaluatorError).code).toBe('TEMPLATE_PARSE');
      expect((err as Error).message).toContain('ann:2:1');
      expect((err as Error).message).toContain('function "nope" not defined');
    }
  });

  it('fails at execution when a function errors, naming the function', async () => {
    await expect(render('{{ humanize "abc" }}')).rejects.toThrow(/error calling humanize/);
    await expect(render('{{ first (query "x") }}')).rejects.toThrow(/query is not available/);
    await expect(render('{{ .Nope }}')).rejects.toThrow(/can't evaluate field Nope/);
    await expect(render('{{ eq $value 1 }}')).rejects.toThrow(/incompatible types/);
  });

  it('fails timestamps outside an int64 of nanoseconds with the message Prometheus gives', async () => {
    const overflow =
      'error calling humanizeTimestamp: 1e+10 cannot be represented as a nanoseconds timestamp';
    await expect(render('{{ humanizeTimestamp $value }}', 1e10)).rejects.toThrow(overflow);
    await expect(render('{{ toTime $value }}', -1e10)).rejects.toThrow(
      /error calling toTime: -1e\+10 cannot/,
    );
    await expect(render('{{ toTime $value }}', Number.NaN)).rejects.toThrow(
      'error calling toTime: value is NaN or Inf',
    );
    expect(await render('{{ humanizeTimestamp $value }}', Number.NaN)).toBe('NaN');
    expect(await render('{{ toTime $value }}', 9.2e9)).toBe('2261-07-15 11:33:20 +0000 UTC');
  });
});
