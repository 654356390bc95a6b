// The TypeScript the load test needs from src/core, bundled with esbuild into a temp directory so
// Node can run it: the engine's synthetic catalog generator (src/core/engine/synthetic.ts), the
// catalog validator the worker itself runs on every published version, and the seed segment
// rules. Loaded once per run; the temp directory is removed right after the import.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { PROJECT_ROOT } from './local-worker.mjs';

const ENTRY = `
export { seededRng, syntheticCatalog, advertiserCount, domainOf, bundleOf, dealOf, advertiserOf } from './src/core/engine/synthetic';
export { parseCatalog } from './src/core/catalog/catalog-schema';
export { SEED_SEGMENT_RULES } from './src/core/segments/seed-rules';
`;

/** @returns {Promise<Record<string, any>>} the bundled module's exports */
export async function loadCore() {
  const dir = await mkdtemp(join(tmpdir(), 'edgebid-loadtest-core-'));
  try {
    const outfile = join(dir, 'core.mjs');
    await build({
      stdin: { contents: ENTRY, resolveDir: PROJECT_ROOT, sourcefile: 'loadtest-core-entry.ts', loader: 'ts' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile,
      logLevel: 'error',
    });
    return await import(outfile);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
