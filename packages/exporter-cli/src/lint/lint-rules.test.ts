import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseExposition } from './exposition-parser.ts';
import { lintExposition } from './lint-rules.ts';

const lint = (text: string, maxLabelValues?: number) =>
  lintExposition(parseExposition(text), maxLabelValues === undefined ? {} : { maxLabelValues });
const rules = (text: string) => lint(text).map((f) => `${f.line}:${f.severity}:${f.rule}`);

const CLEAN = `# HELP http_server_request_duration_seconds Duration of HTTP server requests.
# TYPE http_server_request_duration_seconds histogram
http_server_request_duration_seconds_bucket{http_route="/users/{id}",le="0.1"} 3
http_server_request_duration_seconds_bucket{http_route="/users/{id}",le="+Inf"} 4
http_server_request_duration_seconds_sum{http_route="/users/{id}"} 0.42
http_server_request_duration_seconds_count{http_route="/users/{id}"} 4
# HELP jobs_processed_total Jobs processed.
# TYPE jobs_processed_total counter
jobs_processed_total{queue="mail"} 17 1767225600000
`;

describe('lintExposition', () => {
  it('finds nothing in a well-formed exposition', () => {
    expect(lint(CLEAN)).toEqual([]);
  });

  it('reads OpenMetrics counters whose family has no _total', () => {
    const text = '# TYPE jobs counter\n# HELP jobs Jobs.\njobs_total 1\njobs_created 1767225600\n# EOF\n';
    expect(lint(text)).toEqual([]);
  });

  it('flags names that are not snake_case, use colons or non-base units', () => {
    const text = `# HELP requestLatency_milliseconds x\n# TYPE requestLatency_milliseconds gauge\nrequestLatency_milliseconds 1
# HELP disk:used_kilobytes x\n# TYPE disk:used_kilobytes gauge\ndisk:used_kilobytes 1
# HELP cpu_percent x\n# TYPE cpu_percent gauge\ncpu_percent 1\n`;
    expect(rules(text)).toEqual([
      '1:warning:not-snake-case',
      '1:warning:non-base-unit',
      '4:warning:colon-in-name',
      '4:warning:non-base-unit',
      '7:warning:non-base-unit',
    ]);
    expect(lint(text)[0]!.message).toBe('use snake_case: request_latency_milliseconds');
  });

  it('errors on _total outside counters and warns on counters without it', () => {
    const text = '# HELP a_total x\n# TYPE a_total gauge\na_total 1\n# HELP b x\n# TYPE b counter\nb 1\n';
    expect(rules(text)).toEqual(['1:error:total-on-non-counter', '4:warning:counter-without-total']);
  });

  it('warns on missing HELP and TYPE once per family', () => {
    expect(rules('up 1\nup{job="a"} 1\n')).toEqual(['1:warning:missing-type', '1:warning:missing-help']);
  });

  it('errors on reserved label names and duplicate series, with the first line in the message', () => {
    const text = '# HELP up x\n# TYPE up gauge\nup{__secret="x"} 1\nup{b="1",a="2"} 1\nup{a="2",b="1"} 0\n';
    const findings = lint(text);
    expect(findings.map((f) => f.rule)).toEqual(['invalid-label-name', 'duplicate-series']);
    expect(findings[1]!.message).toBe('same name and labels as line 4');
  });

  it('warns on id-like label values once per label', () => {
    const text = `# HELP hits x\n# TYPE hits gauge
hits{user="7d444840-9dc0-11d1-b245-5ffdce74fad2"} 1
hits{user="1c4c6f5e-9dc0-11d1-b245-5ffdce74fad2"} 1
hits{client="10.1.2.3"} 1
hits{path="/orders/123456/items"} 1\n`;
    const messages = lint(text).map((f) => f.message);
    expect(messages).toHaveLength(3);
    expect(messages[0]).toMatch(/user=.* looks like a UUID/);
    expect(messages[1]).toMatch(/looks like an IP address/);
    expect(messages[2]).toMatch(/path with an id/);
  });

  it('accepts ids in info metrics such as the target_info yardstick exposes for its resource', () => {
    const text = `# HELP target_info Target metadata
# TYPE target_info gauge
target_info{service_instance_id="cd82d275-a511-4e28-85e5-939605298615",host_id="3d1219c7c4c5404aaa1f6d2a48adfda4"} 1\n`;
    expect(lint(text)).toEqual([]);
  });

  it('warns on names without one of the given application prefixes, once per family', () => {
    const text = `# HELP checkout_orders_total x
# TYPE checkout_orders_total counter
checkout_orders_total 1
# HELP requests_total x
# TYPE requests_total counter
requests_total{a="1"} 1
requests_total{a="2"} 1
# HELP target_info x
# TYPE target_info gauge
target_info{service_name="checkout"} 1
job:requests:rate5m 1\n`;
    const found = lintExposition(parseExposition(text), { prefixes: ['checkout', 'http'] });
    expect(
      found.filter((f) => f.rule === 'missing-prefix').map((f) => [f.line, f.metric, f.message]),
    ).toEqual([[4, 'requests_total', 'does not start with an application prefix (checkout_, http_)']]);
    expect(lint(text).filter((f) => f.rule === 'missing-prefix')).toEqual([]);
  });

  it('warns once when a label passes the distinct-value limit', () => {
    const lines = ['# HELP q x', '# TYPE q gauge'];
    for (let i = 0; i < 12; i++) lines.push(`q{shard="s${i}"} 1`);
    expect(lint(lines.join('\n'), 10).map((f) => `${f.line}:${f.rule}`)).toEqual([
      '13:too-many-label-values',
    ]);
  });

  it('errors on histogram buckets without le or without a +Inf bucket, once per series', () => {
    const text = `# HELP d x\n# TYPE d histogram
d_bucket{route="/a",le="0.1"} 1
d_bucket{route="/a",le="1"} 2
d_bucket{route="/b",le="0.1"} 1
d_bucket{route="/b",le="+Inf"} 1
d_bucket{route="/c"} 1
d_sum 1\nd_count 1\n`;
    expect(lint(text).map((f) => `${f.line}:${f.rule}:${f.message}`)).toEqual([
      '3:histogram-without-inf-bucket:d_bucket{route="/a"} has no le="+Inf" bucket',
      '7:bucket-without-le:bucket has no le label',
    ]);
  });

  it('errors when an OpenMetrics UNIT is not the suffix of the name', () => {
    const text = '# TYPE latency gauge\n# HELP latency x\n# UNIT latency seconds\nlatency 1\n# EOF\n';
    expect(rules(text)).toEqual(['1:error:unit-not-in-name']);
  });

  it('reports unreadable lines as parse errors with their line and keeps going', () => {
    const text = '# HELP up x\n# TYPE up gauge\nup{job="a} 1\nup{job="b"} one\n{} 1\nup{job="c"} 1\n';
    expect(rules(text)).toEqual(['3:error:parse-error', '4:error:parse-error', '5:error:parse-error']);
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        for (const finding of lint(text)) expect(finding.line).toBeGreaterThan(0);
      }),
    );
  });

  it('reads back every label value it is given, escapes included', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (value) => {
        const escaped = value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
        const parsed = parseExposition(`m{l="${escaped}"} 1\n`);
        expect(parsed.samples[0]?.labels).toEqual([['l', value]]);
      }),
    );
  });
});
