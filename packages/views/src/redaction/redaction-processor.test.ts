import { describe, expect, it } from 'vitest';
import { createRedactionProcessor } from './redaction-processor.ts';

describe('createRedactionProcessor', () => {
  it('always drops the default sensitive keys and the configured extra ones, patterns included', () => {
    const processor = createRedactionProcessor({ enabled: true, dropKeys: ['internal.*'] });
    expect(
      processor.process({
        'client.address': 'anything',
        'http.request.header.authorization': 'Bearer x',
        'internal.trace': 'x',
        'http.route': '/a',
      }),
    ).toEqual({ 'http.route': '/a' });
  });

  it('redacts inside string values and string arrays, leaving other values as they are', () => {
    const processor = createRedactionProcessor({ enabled: true, replacement: '***' });
    expect(
      processor.process({ peer: 'db at 10.0.0.1', hosts: ['a', 'b@c.io'], code: 200, ok: true }),
    ).toEqual({
      peer: 'db at ***',
      hosts: ['a', '***'],
      code: 200,
      ok: true,
    });
  });

  it('drops the whole attribute instead when asked to', () => {
    const processor = createRedactionProcessor({ enabled: true, onMatch: 'drop' });
    expect(processor.process({ peer: 'db at 10.0.0.1', route: '/a' })).toEqual({ route: '/a' });
  });

  it('scans only the listed keys when keys are given', () => {
    const processor = createRedactionProcessor({ enabled: true, keys: ['error.message'] });
    expect(
      processor.process({ 'error.message': 'refused by 10.0.0.1', 'server.address': '10.0.0.2' }),
    ).toEqual({
      'error.message': 'refused by [REDACTED]',
      'server.address': '10.0.0.2',
    });
  });

  it('does nothing when disabled and returns the same object when nothing is sensitive', () => {
    const clean = { route: '/a', method: 'GET' };
    expect(createRedactionProcessor({ enabled: true }).process(clean)).toBe(clean);
    const dirty = { 'client.address': '10.0.0.1' };
    expect(createRedactionProcessor({ enabled: false }).process(dirty)).toBe(dirty);
  });

  it('gives the same answer for a value seen many times, beyond the size of its memo', () => {
    const processor = createRedactionProcessor({ enabled: true });
    for (let i = 0; i < 5000; i++) processor.process({ v: `x${i}` });
    expect(processor.process({ v: 'to a@b.io' })).toEqual({ v: 'to [REDACTED]' });
    expect(processor.process({ v: 'to a@b.io' })).toEqual({ v: 'to [REDACTED]' });
  });
});
