import { describe, expect, it } from 'vitest';
import { describeConfig } from './describe-config.ts';
import { yardstickConfigSchema } from './schema.ts';

describe('describeConfig', () => {
  const config = yardstickConfigSchema.parse({
    serviceName: 'checkout',
    server: { port: 0, auth: { username: 'scraper', password: 'p4ssw0rd-secret' } },
    otlp: {
      endpoint: 'https://user:url-secret@collector.example/v1/metrics?api_key=query-secret',
      headers: { authorization: 'Bearer header-secret', 'x-tenant': 'tenant-secret' },
    },
  });

  it('keeps no password, header value or URL credential anywhere in its output', () => {
    const text = JSON.stringify(describeConfig(config));
    for (const secret of [
      'p4ssw0rd-secret',
      'header-secret',
      'tenant-secret',
      'url-secret',
      'query-secret',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('keeps everything else, including header names and the auth user name', () => {
    const described = describeConfig(config);
    expect(described).toMatchObject({
      serviceName: 'checkout',
      server: { port: 0, host: '127.0.0.1', auth: { username: 'scraper', password: '[REDACTED]' } },
      otlp: {
        endpoint: 'https://user:REDACTED@collector.example/v1/metrics?api_key=REDACTED',
        headers: { authorization: '[REDACTED]', 'x-tenant': '[REDACTED]' },
        protocol: 'http/protobuf',
      },
    });
  });

  it('does not change the config it is given', () => {
    const before = structuredClone(config);
    describeConfig(config);
    expect(config).toEqual(before);
  });

  it('leaves a config without secrets as it is', () => {
    const plain = yardstickConfigSchema.parse({});
    expect(describeConfig(plain)).toEqual(plain);
  });
});
