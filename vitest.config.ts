/**
 * Two projects: `core` runs the pure domain code directly in Node (proving it needs no Workers
 * runtime); `workers` runs the integration tests inside workerd with real KV, Durable Objects
 * and Queues from wrangler.toml, via the Workers pool.
 */
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'core', include: ['src/core/**/*.test.ts'], environment: 'node' },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                USER_KEY_SECRET: 'test-user-key-secret',
                TRACKING_SECRET: 'test-tracking-secret',
                DEMO_CATALOG: 'on',
                EXPLAIN: 'on',
                // A cold object on this shared box can take longer than production's 30 ms; the
                // fallback under a tight budget has its own test (profile-reader-integration).
                PROFILE_BUDGET_CEILING_MS: '2000',
              },
            },
          }),
        ],
        test: { name: 'workers', include: ['test/**/*.test.ts'] },
      },
    ],
  },
});
