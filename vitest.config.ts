import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources (the `yardstick-source` export condition), so no build is needed.
export default defineConfig({
  resolve: { conditions: ['yardstick-source'] },
  ssr: { resolve: { conditions: ['yardstick-source'] } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/sdk/ui/src/**/*.test.ts',
      'test/**/*.test.ts',
      'examples/*/src/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The web UI bundle the telemetry server serves, built when its sources changed.
    globalSetup: ['test/support/build-web-ui.ts'],
    // memory-bound tests (cardinality attacks) call gc() before measuring
    execArgv: ['--expose-gc'],
  },
});
