import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../catalog/catalog-schema';
import { compileCatalog } from '../catalog/compile';
import { candidates } from './candidate-index';
import { decide } from './decide';
import { contextOf } from './index-test-support';
import { advertiserCount, seededRng, syntheticCatalog, syntheticRequest } from './synthetic';

const NOW_MS = Date.UTC(2026, 10, 23, 14);

describe('synthetic catalogs and requests', () => {
  it('are the same for the same seed and differ for another', () => {
    expect(syntheticCatalog(50, seededRng(7))).toEqual(syntheticCatalog(50, seededRng(7)));
    expect(syntheticCatalog(50, seededRng(7))).not.toEqual(syntheticCatalog(50, seededRng(8)));
    expect(syntheticRequest(seededRng(7), 10, NOW_MS)).toEqual(syntheticRequest(seededRng(7), 10, NOW_MS));
  });

  it('produce a catalog the catalog schema accepts', () => {
    const parsed = parseCatalog(syntheticCatalog(300, seededRng(1)));
    expect(parsed.ok ? [] : parsed.issues.slice(0, 5)).toEqual([]);
  });

  it('are selective the way the benchmark claims: a few countries, some segments, most line items targeted', () => {
    const doc = syntheticCatalog(2_000, seededRng(2));
    const json = doc.lineItems.map((li) => JSON.stringify(li.targeting));
    const share = (needle: string): number => json.filter((t) => t.includes(needle)).length / json.length;
    expect(share('"country"')).toBeGreaterThan(0.6);
    expect(share('"country"')).toBeLessThan(0.9);
    expect(share('"segment"')).toBeGreaterThan(0.15);
    expect(share('"deal"')).toBeGreaterThan(0.01);
    expect(share('"daypart"')).toBeGreaterThan(0.05);
    expect(json.filter((t) => t === 'null').length / json.length).toBeLessThan(0.15);
    expect(new Set(doc.lineItems.map((li) => li.priority)).size).toBeGreaterThanOrEqual(8);
  });

  it('give the index a small share of the catalog per request, and decisions that mostly bid', () => {
    const lineItems = 2_000;
    const rng = seededRng(3);
    const catalog = compileCatalog(syntheticCatalog(lineItems, rng));
    let bids = 0;
    let candidateCount = 0;
    for (let i = 0; i < 100; i++) {
      const r = syntheticRequest(rng, advertiserCount(lineItems), NOW_MS);
      const slot = r.slots[0];
      const sizes = slot?.banner?.sizes.map((s) => `${s.w}x${s.h}`) ?? [];
      const formats = [...sizes, ...(slot?.banner ? ['banner'] : []), ...(slot?.video ? ['video'] : []), ...(slot?.native ? ['native'] : [])];
      const ctx = contextOf({ request: r.request, ...(slot ? { slot } : {}), profile: r.profile, nowMs: NOW_MS, formats, keywords: r.request.keywords, categories: r.request.inventory.categories });
      candidateCount += candidates(catalog.index, ctx).length;
      const [d] = decide(catalog, { ...r, nowMs: NOW_MS, rng, explain: false });
      if (d?.kind === 'bid') bids++;
    }
    expect(candidateCount / 100).toBeGreaterThan(1);
    expect(candidateCount / 100).toBeLessThan(lineItems / 10);
    expect(bids).toBeGreaterThan(50);
  });
});
