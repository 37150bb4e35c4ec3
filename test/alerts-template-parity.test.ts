/**
 * Template output checked against Prometheus itself: every template below is put in an alert
 * annotation, our rendering becomes the expected annotation of a promtool unit test, and
 * `promtool test rules` (Prometheus 2.42) must pass it — so each case renders byte for byte as in Go.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileAlertTemplate } from '@yardstick/alert-evaluator';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { peer, tempDir } from './support/peers.ts';

const promtool = peer('promtool');
const tmp = tempDir('yardstick-tmpl-');
afterAll(() => tmp.cleanup());

/** [template, sample value as promtool series notation, the same value as a number]. */
const cases: readonly [string, string, number][] = [
  ['{{ humanize $value }}', '12345.6', 12345.6],
  ['{{ humanize $value }}', '0.000123', 0.000123],
  ['{{ humanize $value }}', '-2500', -2500],
  ['{{ humanize $value }}', '1e27', 1e27],
  ['{{ humanize $value }}', '999.95', 999.95],
  ['{{ humanize1024 $value }}', '1048576', 1048576],
  ['{{ humanize1024 $value }}', '123456789', 123456789],
  ['{{ humanize1024 $value }}', '0.5', 0.5],
  ['{{ humanizePercentage $value }}', '0.256', 0.256],
  ['{{ humanizePercentage $value }}', '0.0001234', 0.0001234],
  ['{{ humanizeDuration $value }}', '3725', 3725],
  ['{{ humanizeDuration $value }}', '1.2345', 1.2345],
  ['{{ humanizeDuration $value }}', '0.000321', 0.000321],
  ['{{ humanizeDuration $value }}', '-93784', -93784],
  ['{{ humanizeDuration $value }}', '0', 0],
  ['{{ humanizeTimestamp $value }}', '1435065584.128', 1435065584.128],
  ['{{ humanizeTimestamp $value }}', '1700000000', 1700000000],
  ['{{ humanizeTimestamp $value }}|{{ toTime $value }}', '-1234567.891', -1234567.891],
  ['{{ humanizeTimestamp $value }}', 'NaN', Number.NaN],
  ['{{ $value }}', '1234567', 1234567],
  ['{{ $value }}', '123456', 123456],
  ['{{ $value }}', '0.00001', 0.00001],
  ['{{ $value }}', '0.1', 0.1],
  ['{{ .Value }}', 'Inf', Number.POSITIVE_INFINITY],
  ['{{ $value }}', '-Inf', Number.NEGATIVE_INFINITY],
  ['{{ $value }}', 'NaN', Number.NaN],
  ['{{ printf "%.2f" $value }}', '1.005', 1.005],
  ['{{ printf "%.2f" $value }}', '0.125', 0.125],
  ['{{ printf "%.1f" $value }}', '0.25', 0.25],
  ['{{ printf "%f|%e|%g" $value $value $value }}', '1234.5678', 1234.5678],
  ['{{ printf "%.3g|%.10g" $value $value }}', '0.000123456', 0.000123456],
  ['{{ printf "%d" $value }}', '3', 3],
  ['{{ printf "%5.1f|%-6.2f|%+.1f" $value $value $value }}', '3.25159', 3.25159],
  ['{{ printf "%q %v %s" $labels.pool $value $labels.region }}', '7', 7],
  ['{{ printf "%s %d" "x" }}', '1', 1],
  ['{{ printf "%s" "x" 1.5 }}', '1', 1],
  ['{{ $labels.pool | toUpper }} {{ toLower "ABC" }} {{ title "hello big-world foo_bar" }}', '1', 1],
  ['{{ title "don\'t stop 3rd élan x€y a.b" }}', '1', 1],
  ['{{ reReplaceAll "^(.*):(\\\\d+)$" "$2@$1" $labels.instance }}', '1', 1],
  ['{{ if match "^gpu-" $labels.pool }}gpu{{ else }}cpu{{ end }}', '1', 1],
  ['{{ if gt $value 100.0 }}high{{ else if gt $value 10.0 }}mid{{ else }}low{{ end }}', '50', 50],
  ['{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}', '1', 1],
  ['{{ with $labels.nope }}x{{ else }}none{{ end }} {{ $labels.nope }}', '1', 1],
  ['{{ $x := "a" }}{{ if true }}{{ $x = "b" }}{{ end }}{{ $x }}', '1', 1],
  ['a  {{- " b " -}}  c', '1', 1],
  ['{{ len $labels }} {{ index $labels "pool" }} {{ print 1 2 "x" 3 }}', '1', 1],
  ['{{ stripPort $labels.instance }} {{ stripDomain $labels.instance }}', '1', 1],
  ['{{ $externalLabels.cluster }} {{ $externalURL }} {{ .ExternalURL }}', '1', 1],
  // promtool loads input series in map order, so only sorted query results are deterministic.
  ['{{ with query "template_ref" | sortByLabel "kind" }}{{ . | first | value | humanize }}{{ end }}', '1', 1],
  ['{{ with $labels.nope }}x{{ end }}[{{ index $labels "nope" }}][{{ .Labels.nope }}]', '1', 1],
  ['{{ range query "template_ref" | sortByLabel "kind" }}{{ label "kind" . }},{{ end }}', '1', 1],
  ['{{ $value | humanize | printf "%s!" }}', '2048', 2048],
  ['{{ printf "%v" $externalLabels }} {{ printf "%x|%T|%T" "hi" $value 1 }}', '1', 1],
  ['{{ printf "%08.3f|%+d|%6.2f%%|%.0f|%.0f" $value 5 12.3456 0.5 1.5 }}', '2.71', 2.71],
  ['{{ printf "%s|%d" 12 1.0 }}', '1', 1],
  // The `$` + `{host}` split only keeps the linter from reading a JavaScript template placeholder.
  ['{{ reReplaceAll "(?P<host>[^:.]+)[^:]*:.*" "$' + '{host}" $labels.instance }}', '1', 1],
  ['{{ if match "(?i)GPU" $labels.pool }}yes{{ else }}no{{ end }}', '1', 1],
  ['{{ humanize $value }}|{{ humanizeDuration $value }}', '1e-30', 1e-30],
  ['{{ toUpper "straße" }}|{{ toLower "ΑΣ" }}|{{ title "ǆemal" }}', '1', 1],
  ['{{ 1.0 }} {{ 0.1 }} {{ 1e21 }} {{ 3 }} {{ true }} {{ print $value }}', '0.5', 0.5],
  [
    '{{ range $i, $e := query "template_ref" | sortByLabel "kind" }}{{ $i }}:{{ label "kind" $e }} {{ end }}',
    '1',
    1,
  ],
  ['{{ printf "%q" $labels.instance }} {{ printf "%-8s|%8s" "ab" "cd" }}', '1', 1],
  // Execution errors: the whole expansion becomes Prometheus's error text, position and node included.
  ['{{ humanize "abc" }}', '1', 1],
  ['x {{ .Nope }}', '1', 1],
  ['{{ eq $value 1 }}', '1', 1],
  ['{{ first (query "nothing") }}', '1', 1],
  ['line1\nline2 é {{ humanize1024 "zz" }}', '1', 1],
  ['{{ with $labels }}{{ .nope.deeper }}{{ end }}', '1', 1],
  ['{{ printf "%s" (humanizeDuration "q") }}', '1', 1],
  ['{{ reReplaceAll "(" "x" "y" }}|{{ reReplaceAll "a)" "x" "y" }}', '1', 1],
  ['{{ match "[ab" "x" }}', '1', 1],
  // Go's regexp, not JavaScript's: empty matches next to a match, `$1x` as a group name, flags mid-pattern,
  // multi-byte advances, RE2 classes and its error wording. (Not `(?<=a)`: Go 1.22 reworded that error,
  // and promtool 2.42 was built before.)
  ['{{ reReplaceAll "a*" "-" "baaac" }}|{{ reReplaceAll "x*" "-" "日本" }}', '1', 1],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Go's ${1} replacement syntax, not a JS template
  ['{{ reReplaceAll "(a)" "$1x|${1}x|$01|$$" "aa" }}', '1', 1],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Go's ${2} replacement syntax, not a JS template
  ['{{ reReplaceAll "(?P<first>\\\\w)(\\\\w*)" "${2}$first" "hello world" }}', '1', 1],
  [
    '{{ reReplaceAll "\\\\pL+" "<$0>" "ab 12 cd" }}|{{ if match "a(?i)b" "aB" }}y{{ else }}n{{ end }}',
    '1',
    1,
  ],
  ['{{ match "a**" "x" }}', '1', 1],
  ['{{ humanizeTimestamp 1e10 }}', '1', 1],
  ['{{ if gt $value "a" }}x{{ end }}', '1', 1],
  ['{{ $labels.pool.x }}', '1', 1],
  ['{{ humanize   "abc"   }} {{ .Labels.x.y }}', '1', 1],
  ['{{ humanize (printf "%s" "abcdefghijklmnopqrstuvwxyz") }}', '1', 1],
  ['{{ $value | humanize | humanize }}', '2', 2],
  ['{{ $value | humanizeDuration | humanize }}', '90', 90],
  ['{{ html "<a href=\'x\'>&" }}|{{ html 1 "x" }}|{{ js "a`b=<>&\\"\'" }}|{{ js 1 2 }}', '1', 1],
  [
    '{{ slice "héllo" 1 3 }}|{{ len (args 1 2 3) }}|{{ index (args 1 2) "arg1" }}|{{ index "abc" 1 }}',
    '1',
    1,
  ],
  ['{{ parseDuration "1h30m" }}|{{ parseDuration "0" }}|{{ urlquery "a b&c" }}', '1', 1],
  ['{{ parseDuration "bad" }}', '1', 1],
  ['{{ humanize " 5 " }}', '1', 1],
  ['{{ humanize true }}', '1', 1],
  ['{{ len $value }}', '1', 1],
  ['{{ index $labels 1 }}', '1', 1],
  ['{{ index $labels "pool" "x" }}', '1', 1],
  ['{{ humanize 1 2 }}', '1', 1],
  ['{{ printf "%T|%T" . $labels }}', '1', 1],
  ['{{ printf "%T" (query "template_ref") }}|{{ printf "%T" (query "template_ref" | first) }}', '1', 1],
  ['{{ $value | toUpper }}', '1', 1],
  ['{{ toUpper $value }}', '1', 1],
  ['{{ toUpper true }}', '1', 1],
  ['{{ match "a" 3 }}', '1', 1],
  ['{{ title (len "ab") }}', '1', 1],
  ['{{ label 1 (query "template_ref" | first) }}', '1', 1],
  ['{{ reReplaceAll "a" "b" $labels }}', '1', 1],
  ['{{ toUpper nil }}', '1', 1],
  ['{{ $value | printf "%s" | toUpper }}', '2', 2],
  ['{{ humanize nil }}', '1', 1],
  ['{{ toUpper .Value }}', '1', 1],
  ['{{ first 1 }}', '1', 1],
  ['{{ value $value }}', '1', 1],
  ['{{ printf 3 }}', '1', 1],
  ['{{ gt 3 (query "template_ref") }}', '1', 1],
  ['{{ range $i, $x := (len "abc") }}{{ $i }}{{ end }}', '1', 1],
  ['{{ or (query "template_ref" | sortByLabel "kind" | first) $labels }}', '1', 1],
  ['{{ index "abc" 1 }}|{{ index "abc" 3 }}', '1', 1],
  ['{{ index "abc" 4 }}', '1', 1],
  [
    '{{ printf "%5.2q|%+q|%q|%o %b %c %U %X|%G %E|%-4s|%.1s" "abc" "é" "a\u2028b" 8 5 65 65 255 1e-7 1e21 "é" "日本" }}',
    '1',
    1,
  ],
];

const labels = { pool: 'gpu-a', region: 'eu-west', instance: 'host-1.example.com:9100' };
const externalLabels = { cluster: 'prod' };
const externalURL = 'http://prom.example:9090';

describe.skipIf(promtool.skipReason !== undefined)('template output parity with Prometheus', () => {
  it('renders every case exactly as promtool does', async () => {
    const rules = cases.map(([template], i) => ({
      alert: `T${i}`,
      expr: `template_input{case="${i}"}`,
      annotations: { out: template },
    }));
    writeFileSync(join(tmp.dir, 'rules.yml'), stringify({ groups: [{ name: 'templates', rules }] }));
    const refQuery = [
      { labels: { __name__: 'template_ref', kind: 'b' }, value: 2 },
      { labels: { __name__: 'template_ref', kind: 'a' }, value: 12345.6 },
    ];
    const alertTests = [];
    for (const [i, [template, , value]] of cases.entries()) {
      const seriesLabels = { __name__: 'template_input', case: String(i), ...labels };
      // A failing expansion renders as a rule renders it (and as Prometheus does).
      const out = await compileAlertTemplate(`__alert_T${i}`, template)
        .expand({
          labels: seriesLabels,
          externalLabels,
          externalURL,
          value,
          query: async () => (template.includes('"nothing"') ? [] : refQuery),
        })
        .catch((err: Error) => `<error expanding template: ${err.message}>`);
      alertTests.push({
        eval_time: '0m',
        alertname: `T${i}`,
        exp_alerts: [{ exp_labels: { case: String(i), ...labels }, exp_annotations: { out } }],
      });
    }
    const input = [
      ...cases.map(([, notation], i) => ({
        series: `template_input{case="${i}", pool="gpu-a", region="eu-west", instance="host-1.example.com:9100"}`,
        values: notation,
      })),
      { series: 'template_ref{kind="a"}', values: '12345.6' },
      { series: 'template_ref{kind="b"}', values: '2' },
    ];
    const testFile = join(tmp.dir, 'templates.test.yml');
    writeFileSync(
      testFile,
      stringify({
        rule_files: ['rules.yml'],
        tests: [
          {
            interval: '1m',
            external_labels: externalLabels,
            external_url: externalURL,
            input_series: input,
            alert_rule_test: alertTests,
          },
        ],
      }),
    );
    const res = spawnSync(promtool.path!, ['test', 'rules', testFile], { encoding: 'utf8', timeout: 60_000 });
    expect(res.status, `${res.stdout}${res.stderr}`).toBe(0);
  });

  it('formats generated values exactly as promtool does (humanizers, %v, printf, timestamps)', async () => {
    const numeric =
      '{{ humanize $value }}|{{ humanize1024 $value }}|{{ humanizePercentage $value }}|' +
      '{{ humanizeDuration $value }}|{{ $value }}|{{ printf "%.3g|%.2f|%e" $value $value $value }}';
    const timestamp = '{{ humanizeTimestamp $value }}|{{ toTime $value }}';
    const seed = 20_261_122;
    // Every magnitude class: tiny, sub-second, around the unit prefixes, huge; integers and fractions.
    const numbers = fc.sample(
      fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.double({ min: -1e7, max: 1e7, noNaN: true }),
        fc.integer({ min: -10_000_000, max: 10_000_000 }),
        fc.double({ min: 1e-9, max: 10, noNaN: true }),
      ),
      { numRuns: 80, seed },
    );
    // Timestamps Prometheus can represent (an int64 of nanoseconds: 1678 to 2262).
    const times = fc.sample(fc.double({ min: -9.2e9, max: 9.2e9, noNaN: true }), { numRuns: 40, seed });
    const generated: [string, number][] = [
      ...numbers.map((v): [string, number] => [numeric, v]),
      ...times.map((v): [string, number] => [timestamp, v]),
    ];
    const values = generated.map(([, v]) => v);
    const dir = join(tmp.dir, 'generated');
    mkdirSync(dir, { recursive: true });
    const rules = generated.map(([template], i) => ({
      alert: `G${i}`,
      expr: `generated{case="${i}"}`,
      annotations: { out: template },
    }));
    writeFileSync(join(dir, 'rules.yml'), stringify({ groups: [{ name: 'generated', rules }] }));
    const alertTests = [];
    for (const [i, [template, value]] of generated.entries()) {
      const out = await compileAlertTemplate(`__alert_G${i}`, template).expand({
        labels: { __name__: 'generated', case: String(i) },
        externalLabels: {},
        externalURL: '',
        value,
        query: async () => [],
      });
      alertTests.push({
        eval_time: '0m',
        alertname: `G${i}`,
        exp_alerts: [{ exp_labels: { case: String(i) }, exp_annotations: { out } }],
      });
    }
    const testFile = join(dir, 'generated.test.yml');
    writeFileSync(
      testFile,
      stringify({
        rule_files: ['rules.yml'],
        tests: [
          {
            interval: '1m',
            // String(v) is the shortest text that reads back as v, in Go as in JavaScript (but drops the
            // sign of -0).
            input_series: values.map((v, i) => ({
              series: `generated{case="${i}"}`,
              values: Object.is(v, -0) ? '-0' : String(v),
            })),
            alert_rule_test: alertTests,
          },
        ],
      }),
    );
    const res = spawnSync(promtool.path!, ['test', 'rules', testFile], { encoding: 'utf8', timeout: 60_000 });
    expect(res.status, `${res.stdout}${res.stderr}`).toBe(0);
  });
});
