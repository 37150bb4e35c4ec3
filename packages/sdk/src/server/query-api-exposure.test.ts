import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.ts';
import { queryApiExposure } from './query-api-exposure.ts';

const configWith = (code: Record<string, unknown>, env: Record<string, string> = {}) =>
  loadConfig({ code, env, cwd: process.cwd(), file: false });

describe('queryApiExposure', () => {
  it('serves the query API on loopback by default', () => {
    expect(queryApiExposure(configWith({}))).toEqual({ serve: true });
  });

  it('keeps the query API off beyond loopback without auth, with a warning naming the setting', () => {
    const decision = queryApiExposure(configWith({ server: { host: '0.0.0.0' } }));
    expect(decision.serve).toBe(false);
    expect(decision.warning).toContain('0.0.0.0');
    expect(decision.warning).toContain('query.api: true');
  });

  it('serves it beyond loopback when basic auth guards it', () => {
    const config = configWith({
      server: { host: '0.0.0.0', auth: { username: 'scraper', password: 'long-enough-secret' } },
    });
    expect(queryApiExposure(config)).toEqual({ serve: true });
  });

  it('follows an explicit query.api either way, from code or YARDSTICK_QUERY_API', () => {
    expect(queryApiExposure(configWith({ server: { host: '::' }, query: { api: true } }))).toEqual({
      serve: true,
    });
    expect(queryApiExposure(configWith({ server: { host: '::' } }, { YARDSTICK_QUERY_API: 'true' }))).toEqual(
      { serve: true },
    );
    expect(queryApiExposure(configWith({ query: { api: false } }))).toEqual({ serve: false });
  });
});
