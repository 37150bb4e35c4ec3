/**
 * Writes `contracts/grafana-dashboard.json` from {@link PROXYWHIRL_DASHBOARD}:
 * `npm run dashboard -w examples/proxy-rotation` (a test fails while the committed file differs).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { proxyWhirlMetricCatalog } from '../metrics/proxywhirl-metrics.ts';
import { toGrafanaDashboard } from './dashboard-config.ts';
import { PROXYWHIRL_DASHBOARD } from './proxywhirl-dashboard.ts';

/** Where the generated dashboard is committed. */
export const DASHBOARD_CONTRACT = fileURLToPath(
  new URL('../../contracts/grafana-dashboard.json', import.meta.url),
);

/**
 * The file's content as `JSON.stringify` writes it (biome may reformat the committed copy); every panel
 * must query ProxyWhirl's ProxyMetrics only.
 */
export function dashboardContractText(): string {
  const dashboard = toGrafanaDashboard(PROXYWHIRL_DASHBOARD, { metrics: proxyWhirlMetricCatalog() });
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(DASHBOARD_CONTRACT, dashboardContractText());
  console.log(`wrote ${DASHBOARD_CONTRACT}`);
}
