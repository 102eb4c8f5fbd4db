import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        resolve: {
          // Code written against the published package (lambda-template/project/handler.ts)
          // gets this checkout's sources, built or not: with dist/ present, vite resolved the
          // name to dist/index.js from test files but not from the template's own folder.
          alias: [
            {
              find: /^opensky-stream$/,
              replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)),
            },
            {
              find: /^opensky-stream\/lambda$/,
              replacement: fileURLToPath(new URL('./src/entries/lambda.ts', import.meta.url)),
            },
          ],
        },
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
