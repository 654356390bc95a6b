/**
 * Projects: `core` runs the pure domain code directly in Node (proving it needs no Workers
 * runtime); `workers` runs the integration tests inside workerd with real KV, Durable Objects
 * and Queues from wrangler.toml, via the Workers pool; `workers-limits` runs the rate-limit tests
 * in their own workerd with tiny limits, so no other test shares (or trips) their counters.
 */
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { TEST_PRINCIPALS, TEST_TOKENS } from './test/auth-fixtures';

const WORKERS_BINDINGS = {
  USER_KEY_SECRET: 'test-user-key-secret',
  TRACKING_SECRET: 'test-tracking-secret',
  DEMO_CATALOG: 'on',
  EXPLAIN: 'on',
  // The vendor id the consent tests build TC strings for (TEST_VENDOR_ID in src/core/privacy/consent-strings.testing.ts).
  TCF_VENDOR_ID: '777',
  // A cold object on this shared box can take longer than production's 30 ms; the
  // fallback under a tight budget has its own test (profile-reader-integration).
  PROFILE_BUDGET_CEILING_MS: '2000',
  // Retried profile events come back at once, so a poison message reaches the DLQ in seconds (dlq-replay test).
  QUEUE_RETRY_BASE_SEC: '0',
  // The known-users filter's smallest size, so its capacity-growth rebuild can be reached in a test.
  KNOWN_USERS_CAPACITY: '1000',
  // Off in wrangler.toml until a backfill exists; every test starts from empty storage, so on here.
  KNOWN_USERS_FILTER: 'on',
  AUTH_PRINCIPALS: JSON.stringify(TEST_PRINCIPALS),
  ADMIN_TOKEN: TEST_TOKENS.admin,
};

/** Limits small enough to run into, for the rate-limit tests only (the binding's period is 10 or 60 s). */
const TINY_RATE_LIMITS = {
  RL_EVENTS_PRINCIPAL: { namespace_id: '4201', simple: { limit: 3, period: 10 } },
  RL_EVENTS_IP: { namespace_id: '4202', simple: { limit: 3, period: 10 } },
  RL_TRACKING_IP: { namespace_id: '4203', simple: { limit: 3, period: 10 } },
} as const;

/**
 * Tests that publish catalog versions through the admin API run in their own workerd (their own
 * KV), so no other test's catalog changes under it, and one file at a time (they share the catalog).
 */
const CATALOG_WRITING_TESTS = ['test/admin-api*.test.ts', 'test/catalog-propagation*.test.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'core', include: ['src/core/**/*.test.ts', 'test/golden/**/*.test.ts'], environment: 'node' },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: { bindings: WORKERS_BINDINGS },
          }),
        ],
        // The first request of a file starts the worker (catalog load, object activation): seconds on a busy 2-core box.
        test: {
          name: 'workers',
          include: ['test/**/*.test.ts'],
          exclude: ['test/rate-limit-*.test.ts', 'test/golden/**', ...CATALOG_WRITING_TESTS],
          testTimeout: 20_000,
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            // A short refresh so the propagation test can see a running isolate pick up a new version.
            miniflare: { bindings: { ...WORKERS_BINDINGS, CATALOG_REFRESH_SEC: '1' } },
          }),
        ],
        test: { name: 'workers-catalog', include: [...CATALOG_WRITING_TESTS], testTimeout: 30_000, fileParallelism: false },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: { bindings: WORKERS_BINDINGS, ratelimits: TINY_RATE_LIMITS },
          }),
        ],
        test: { name: 'workers-limits', include: ['test/rate-limit-*.test.ts'] },
      },
    ],
  },
});
