import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/sim/**/*.test.ts', 'test/contract/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      // The real-world tier (test/real/**): only when `npm run test:real` runs it, inside its network namespace.
      ...(process.env['LAB_REAL'] === '1'
        ? [
            {
              test: {
                name: 'real',
                include: ['test/real/**/*.test.ts'],
                testTimeout: 900_000,
                hookTimeout: 900_000,
                fileParallelism: false,
              },
            },
          ]
        : []),
    ],
  },
});
