import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The benchmarks' own parts are tested too (bench/relay/*.test.ts).
    include: ['test/**/*.test.ts', 'bench/**/*.test.ts'],
    // Browser tests drive real Chromium: give them room, and keep the 2-core machine usable.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['test/helpers/global-setup.ts'],
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
