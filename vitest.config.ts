import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // A timeout catches a hang, not slowness: a test that starts CLI processes takes several times longer on a loaded
    // machine than on an idle one.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
