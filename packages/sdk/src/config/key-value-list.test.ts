import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseKeyValueList } from './key-value-list.ts';

describe('parseKeyValueList', () => {
  it('reads comma-separated key=value pairs, trimming spaces around them', () => {
    expect(parseKeyValueList('service.namespace=shop, deployment.environment = prod ,')).toEqual({
      ok: true,
      entries: { 'service.namespace': 'shop', 'deployment.environment': 'prod' },
    });
  });

  it('percent-decodes keys and values, so values may hold commas, equals signs and UTF-8', () => {
    expect(parseKeyValueList('team%20name=a%2Cb%3Dc,city=M%C3%BCnchen')).toEqual({
      ok: true,
      entries: { 'team name': 'a,b=c', city: 'München' },
    });
  });

  it('keeps an equals sign after the first one as part of the value', () => {
    expect(parseKeyValueList('authorization=Basic dXNlcjpwYXNz==')).toEqual({
      ok: true,
      entries: { authorization: 'Basic dXNlcjpwYXNz==' },
    });
  });

  it('rejects the whole value on a member without "=", an empty key or a bad percent-escape', () => {
    expect(parseKeyValueList('a=1,broken')).toEqual({
      ok: false,
      message: "entry 2 has no '=' (expected key=value)",
    });
    expect(parseKeyValueList('=1')).toEqual({ ok: false, message: 'entry 1 has an empty key' });
    expect(parseKeyValueList('a=%E0%A4%A')).toMatchObject({ ok: false });
    expect(parseKeyValueList('a=%zz')).toMatchObject({ ok: false });
  });

  it('never quotes the value in its messages, since headers carry secrets', () => {
    const result = parseKeyValueList('api-key=s3cr3t-%zz');
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('s3cr3t');
  });

  it('round-trips any percent-encoded record (property)', () => {
    const key = fc.string({ minLength: 1 }).filter((k) => k.trim() === k && k !== '');
    fc.assert(
      fc.property(
        fc.dictionary(
          key,
          fc.string().filter((v) => v.trim() === v),
        ),
        (record) => {
          const text = Object.entries(record)
            .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
            .join(',');
          const parsed = parseKeyValueList(text);
          expect(parsed).toEqual({ ok: true, entries: { ...record } });
        },
      ),
    );
  });

  it('never throws, whatever the text (property)', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const result = parseKeyValueList(text);
        expect(typeof result.ok).toBe('boolean');
      }),
    );
  });
});
