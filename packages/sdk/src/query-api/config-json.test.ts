import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { yardstickConfigSchema } from '../config/schema.ts';
import { configData } from './config-json.ts';

describe('status/config', () => {
  const config = yardstickConfigSchema.parse({
    serviceName: 'checkout',
    server: { port: 0, auth: { username: 'scraper', password: 'p4ssw0rd-secret' } },
    otlp: {
      endpoint: 'https://user:url-secret@collector.example/v1/metrics?api_key=query-secret',
      headers: { authorization: 'Bearer header-secret' },
    },
    remoteWrite: [
      {
        url: 'https://rw-user:rw-url-secret@mimir.example/api/v1/push',
        headers: { 'X-Scope-OrgID': 'tenant-secret' },
        bearerToken: 'bearer-secret',
      },
      { url: 'http://prometheus:9090/api/v1/write', basicAuth: { username: 'rw', password: 'basic-secret' } },
    ],
    alerting: {
      channels: [
        { name: 'chat', type: 'slack', url: 'https://hooks.slack.com/services/T000/B000/slack-secret' },
        { name: 'hook', type: 'webhook', url: 'https://hooks.example/notify?token=hook-secret' },
      ],
    },
  });

  it('answers the configuration as YAML without any password, token, header value or URL path', () => {
    const { yaml } = configData(config);
    for (const secret of [
      'p4ssw0rd-secret',
      'url-secret',
      'query-secret',
      'header-secret',
      'rw-url-secret',
      'tenant-secret',
      'bearer-secret',
      'basic-secret',
      'slack-secret',
      'hook-secret',
      'T000',
    ])
      expect(yaml).not.toContain(secret);
  });

  it('keeps what an operator needs to recognise the setup', () => {
    const shown = parse(configData(config).yaml);
    expect(shown.serviceName).toBe('checkout');
    expect(shown.server.auth.username).toBe('scraper');
    expect(shown.remoteWrite[0].url).toBe('https://mimir.example/[REDACTED]');
    expect(Object.keys(shown.remoteWrite[0].headers)).toEqual(['X-Scope-OrgID']);
    expect(shown.remoteWrite[1].basicAuth.username).toBe('rw');
    expect(shown.alerting.channels.map((c: { name: string }) => c.name)).toEqual(['chat', 'hook']);
    expect(shown.alerting.channels[0].url).toBe('https://hooks.slack.com/[REDACTED]');
  });

  it('is empty when the API has no configuration to show', () => {
    expect(configData(undefined)).toEqual({ yaml: '' });
  });
});
