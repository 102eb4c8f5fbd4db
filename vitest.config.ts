import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          environment: 'node',
          // Starts the native stack (or reuses a running one); fails loudly if it cannot.
          globalSetup: ['./test/support/stack-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 600_000,
          // The stack is shared: files run one after another so they don't compete for it.
          fileParallelism: false,
        },
      },
    ],
  },
});
