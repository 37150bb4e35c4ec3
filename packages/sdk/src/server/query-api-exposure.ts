/**
 * Whether the telemetry server serves `/api/v1` and `/v1/stats`. They run queries over everything the
 * service records, so on an address reachable from the network they need basic auth or an explicit
 * `query.api: true`; `/metrics` is served either way.
 */
import type { YardstickConfig } from '../config/schema.ts';
import { isLoopbackHost } from './loopback-host.ts';

/** The decision, and the warning to log once when the APIs are kept off. */
export interface QueryApiExposure {
  readonly serve: boolean;
  readonly warning?: string;
}

/** Decides from `query.api`, `server.host` and `server.auth`. */
export function queryApiExposure(config: Pick<YardstickConfig, 'query' | 'server'>): QueryApiExposure {
  if (config.query.api !== undefined) return { serve: config.query.api };
  if (isLoopbackHost(config.server.host) || config.server.auth !== undefined) return { serve: true };
  return {
    serve: false,
    warning: `yardstick: /api/v1 and /v1/stats are off because the telemetry server listens on ${config.server.host}, beyond loopback, without basic auth; /metrics is served. Set server.auth, or query.api: true (env YARDSTICK_QUERY_API=true) to serve them anyway`,
  };
}
