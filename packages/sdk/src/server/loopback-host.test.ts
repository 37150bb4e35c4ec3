import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from './loopback-host.ts';

describe('isLoopbackHost', () => {
  it('accepts loopback addresses in every spelling', () => {
    for (const host of [
      '127.0.0.1',
      '127.1.2.3',
      'localhost',
      'LOCALHOST',
      '::1',
      '[::1]',
      '::ffff:127.0.0.1',
    ])
      expect(isLoopbackHost(host), host).toBe(true);
  });

  it('refuses wildcard and routable addresses', () => {
    for (const host of [
      '0.0.0.0',
      '::',
      '10.0.0.1',
      '192.168.1.10',
      'fd00::1',
      '::ffff:10.0.0.1',
      'example.com',
      '128.0.0.1',
    ])
      expect(isLoopbackHost(host), host).toBe(false);
  });
});
