import { describe, expect, it } from 'vitest';
import { locationHintFor } from './location-hint';

describe('locationHintFor', () => {
  it.each([
    [{ continent: 'NA', longitude: '-122.4' }, 'wnam'],
    [{ continent: 'NA', longitude: '-74.0' }, 'enam'],
    [{ continent: 'NA' }, 'enam'],
    [{ continent: 'EU', longitude: '2.35' }, 'weur'],
    [{ continent: 'EU', longitude: '37.6' }, 'eeur'],
    [{ continent: 'AS', country: 'JP' }, 'apac'],
    [{ continent: 'AS', country: 'AE' }, 'me'],
    [{ continent: 'SA' }, 'sam'],
    [{ continent: 'OC' }, 'oc'],
    [{ continent: 'AF' }, 'afr'],
    [{ continent: 'AN' }, undefined],
    [{}, undefined],
  ] as const)('%j → %s', (geo, hint) => {
    expect(locationHintFor(geo)).toBe(hint);
  });
});
