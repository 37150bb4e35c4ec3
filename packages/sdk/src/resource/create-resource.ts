/**
 * The OTel resource of the service: `service.name`, `service.version`, `service.instance.id`, the
 * configured attributes (which include `OTEL_RESOURCE_ATTRIBUTES`), and the host and process detectors.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  detectResources,
  hostDetector,
  processDetector,
  type Resource,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import {
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
  ATTR_TELEMETRY_SDK_LANGUAGE,
  ATTR_TELEMETRY_SDK_NAME,
  ATTR_TELEMETRY_SDK_VERSION,
} from '@opentelemetry/semantic-conventions';

/** What the resource is built from. */
export interface ResourceOptions {
  readonly serviceName?: string | undefined;
  readonly serviceVersion?: string | undefined;
  readonly attributes?: Readonly<Record<string, string>> | undefined;
  /** Where to look for `package.json` when no service name is configured (default `process.cwd()`). */
  readonly cwd?: string | undefined;
}

const SDK_VERSION = '0.1.0';

/** Detected attributes left out of the resource: command lines may hold credentials. */
const UNSAFE_DETECTED_KEYS = new Set(['process.command_args', 'process.command_line', 'process.command']);

function readPackageJson(cwd: string): { name?: string; version?: string } {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'));
    return typeof parsed === 'object' && parsed !== null
      ? (parsed as { name?: string; version?: string })
      : {};
  } catch {
    return {};
  }
}

/**
 * Builds the resource. Precedence for `service.name`: explicit option (config/env `OTEL_SERVICE_NAME`),
 * then `service.name` in the attributes, then the `name` of `package.json` in `cwd`, then the OTel default
 * `unknown_service:node`.
 */
export async function createResource(options: ResourceOptions = {}): Promise<Resource> {
  const attributes = { ...options.attributes };
  const pkg = readPackageJson(options.cwd ?? process.cwd());
  const serviceName =
    options.serviceName ??
    attributes[ATTR_SERVICE_NAME] ??
    pkg.name ??
    `unknown_service:${process.argv0 || 'node'}`;
  const serviceVersion = options.serviceVersion ?? attributes[ATTR_SERVICE_VERSION] ?? pkg.version;
  const detected = detectResources({ detectors: [hostDetector, processDetector] });
  // host.id is read from the machine id file asynchronously; settle it before copying the attributes.
  await detected.waitForAsyncAttributes?.();
  // Command lines can carry secrets (tokens passed as flags); they never become labels of target_info.
  const safeDetected = Object.fromEntries(
    Object.entries(detected.attributes).filter(([key]) => !UNSAFE_DETECTED_KEYS.has(key)),
  );
  return resourceFromAttributes({
    ...safeDetected,
    ...attributes,
    [ATTR_SERVICE_NAME]: serviceName,
    ...(serviceVersion ? { [ATTR_SERVICE_VERSION]: serviceVersion } : {}),
    'service.instance.id': attributes['service.instance.id'] ?? randomUUID(),
    [ATTR_TELEMETRY_SDK_NAME]: 'yardstick',
    [ATTR_TELEMETRY_SDK_LANGUAGE]: 'nodejs',
    [ATTR_TELEMETRY_SDK_VERSION]: SDK_VERSION,
  });
}
