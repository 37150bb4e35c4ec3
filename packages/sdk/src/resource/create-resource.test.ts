import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createResource } from './create-resource.ts';

const dir = mkdtempSync(join(tmpdir(), 'yardstick-resource-'));
writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'from-package', version: '9.9.9' }));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('createResource', () => {
  it('takes service name and version from package.json when nothing is configured', async () => {
    const { attributes } = await createResource({ cwd: dir });
    expect(attributes['service.name']).toBe('from-package');
    expect(attributes['service.version']).toBe('9.9.9');
    expect(attributes['service.instance.id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(attributes['telemetry.sdk.name']).toBe('yardstick');
    expect(attributes['host.name']).toBeTypeOf('string');
    expect(attributes['process.pid']).toBe(process.pid);
  });

  it('prefers the configured name over attributes and package.json, and keeps configured attributes', async () => {
    const { attributes } = await createResource({
      cwd: dir,
      serviceName: 'configured',
      attributes: { 'service.name': 'from-attributes', 'deployment.environment.name': 'prod' },
    });
    expect(attributes['service.name']).toBe('configured');
    expect(attributes['deployment.environment.name']).toBe('prod');
  });

  it('never carries the command line, which may hold secrets', async () => {
    const { attributes } = await createResource({ cwd: dir });
    expect(attributes['process.command_args']).toBeUndefined();
    expect(attributes['process.command_line']).toBeUndefined();
    expect(attributes['process.command']).toBeUndefined();
  });
});
