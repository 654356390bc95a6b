import { describe, expect, it } from 'vitest';
import { KIND_LIST } from '../catalog/admin-kinds';
import { targetingExprSchema } from '../catalog/targeting-schema';
import { openApiDocument } from './document';
import { tieRecursion } from './recursive';

const doc = openApiDocument();
const text = JSON.stringify(doc);
const schemas = (doc.components as { schemas: Record<string, Record<string, unknown>> }).schemas;
const paths = doc.paths as Record<string, Record<string, { requestBody?: unknown; responses?: Record<string, unknown>; security?: unknown }>>;

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with the admin and publisher paths', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const spec of KIND_LIST) {
      expect(Object.keys(paths[`/v1/admin/${spec.path}`] ?? {}).sort()).toEqual(['get', 'post']);
      expect(Object.keys(paths[`/v1/admin/${spec.path}/{key}`] ?? {}).sort()).toEqual(['get', 'parameters', 'patch', 'put']);
      expect(paths[`/v1/admin/${spec.path}/{key}/pause`] !== undefined).toBe(spec.pausable);
      expect(paths[`/v1/admin/${spec.path}/{key}/archive`]).toBeDefined();
    }
    expect(paths['/v1/admin/catalog/rollback']?.post).toBeDefined();
    expect(paths['/v1/decisions']?.post?.requestBody).toEqual({ required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/DecisionRequest' } } } });
    expect(paths['/v1/events']?.post?.responses?.['202']).toBeDefined();
  });

  it('resolves every $ref to a component', () => {
    const refs = [...text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(refs.length).toBeGreaterThan(50);
    for (const id of new Set(refs)) expect(schemas[id], id).toBeDefined();
    expect(text).not.toMatch(/"\$ref":"(?!#\/components\/schemas\/)/);
  });

  it('describes entities from the validating schemas: recursion as $ref loops, limits, required fields', () => {
    const targeting = JSON.stringify(schemas.TargetingExpr);
    expect(targeting).toContain('"all":{"minItems":1,"maxItems":256,"type":"array","items":{"$ref":"#/components/schemas/TargetingExpr"}}');
    expect(schemas.TargetingExpr?.additionalProperties).toBe(false);
    const lineItem = schemas.LineItem as { properties: Record<string, unknown>; required: string[] };
    expect(lineItem.properties.targeting).toEqual({ anyOf: [{ $ref: '#/components/schemas/TargetingExpr' }, { type: 'null' }] });
    expect(lineItem.properties.priority).toEqual({ type: 'integer', minimum: 0, maximum: 100 });
    expect(lineItem.required).toEqual(expect.arrayContaining(['id', 'campaignId', 'creativeIds', 'baseCpmMicros']));
    expect(JSON.stringify(schemas.SegmentRule)).toContain('"$ref":"#/components/schemas/RuleExpr"');
    // Request bodies as read: fields with defaults are optional.
    expect((schemas.Creative as { oneOf?: unknown[] }).oneOf).toHaveLength(3);
    expect(JSON.stringify(schemas.CatalogDocument)).toContain('"items":{"$ref":"#/components/schemas/LineItem"}');
    expect((schemas.LineItemWriteResponse as { properties: Record<string, unknown> }).properties.data).toEqual({ $ref: '#/components/schemas/LineItem' });
  });

  it('is the same document every time', () => {
    expect(JSON.stringify(openApiDocument())).toBe(text);
  });
});

describe('tieRecursion', () => {
  const tied = tieRecursion(targetingExprSchema);
  const deep = (n: number): unknown => (n === 0 ? { segment: 'x' } : { not: deep(n - 1) });
  it.each([
    ['a leaf', { segment: 'x' }],
    ['nested operators', { all: [{ any: [{ geo: { country: ['USA'] } }, { not: { format: ['300x250'] } }] }] }],
    ['two operators in one object', { segment: 'x', keywords: ['y'] }],
    ['an unknown operator', { weather: 'rain' }],
    ['an empty list', { all: [] }],
    ['a five-deep chain', deep(5) as object],
  ])('judges %s like the schema it was made from', (_name, input) => {
    const want = targetingExprSchema.safeParse(input);
    const got = (tied as typeof targetingExprSchema).safeParse(input);
    expect(got.success).toBe(want.success);
    if (want.success && got.success) expect(got.data).toEqual(want.data);
  });
  it('documents, not enforces, the depth limit: that stays with the validator', () => {
    expect(targetingExprSchema.safeParse(deep(20)).success).toBe(false);
    expect((tied as typeof targetingExprSchema).safeParse(deep(20)).success).toBe(true);
  });
});
