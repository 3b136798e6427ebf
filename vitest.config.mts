import { defineConfig } from 'vitest/config';

// forks pool: the vm pools break `instanceof Float32Array` across realms (see DESIGN.md).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
