/**
 * Vitest global setup: builds the web UI bundle (packages/sdk/dist/ui) when it is missing or older than its
 * sources, so tests that serve it run after `npm ci` without a separate build step. A failed build is
 * reported and does not stop other tests: the UI's own tests then fail on the server's 503.
 */
import { buildUi, isUiBuildCurrent } from '../../packages/sdk/scripts/build-ui.ts';

export default async function buildWebUi(): Promise<void> {
  if (isUiBuildCurrent()) return;
  try {
    await buildUi();
  } catch (error) {
    console.error(
      `web UI build failed; its tests will fail: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
