import { describe, expect, it } from 'vitest';
import { yardstickConfigSchema } from './schema.ts';
import { allowedKeysAt, closestKey } from './schema-keys.ts';

describe('allowedKeysAt', () => {
  it('lists the keys of the object a path leads to, through optional, defaulted and transformed wrappers', () => {
    expect(allowedKeysAt(yardstickConfigSchema, ['server', 'auth'])).toEqual(['username', 'password']);
    expect(allowedKeysAt(yardstickConfigSchema, ['otlp'])).toContain('exportTimeoutMs');
    expect(allowedKeysAt(yardstickConfigSchema, ['cardinality', 'attributeBudgets', 0])).toEqual([
      'instrument',
      'key',
      'maxValues',
      'otherValue',
    ]);
  });

  it('returns nothing for paths that do not lead to an object', () => {
    expect(allowedKeysAt(yardstickConfigSchema, ['server', 'port'])).toEqual([]);
    expect(allowedKeysAt(yardstickConfigSchema, ['nope'])).toEqual([]);
  });
});

describe('closestKey', () => {
  const keys = ['enabled', 'host', 'port', 'metricsPath', 'gzip', 'auth', 'tls', 'allowedCidrs'];

  it('suggests the key a typo or a case slip most likely meant', () => {
    expect(closestKey(keys, 'prot')).toBe('port');
    expect(closestKey(keys, 'metricspath')).toBe('metricsPath');
    expect(closestKey(keys, 'allowedCidr')).toBe('allowedCidrs');
    expect(closestKey(keys, 'enabeld')).toBe('enabled');
  });

  it('suggests nothing for unrelated or very short keys', () => {
    expect(closestKey(keys, 'database')).toBeUndefined();
    expect(closestKey(keys, 'x')).toBeUndefined();
  });
});
