/**
 * The OpenAPI 3.1 document for the admin API and the publisher APIs (`/v1/decisions`,
 * `/v1/events`), served at `/openapi.json`. Paths come from the same kinds table the admin routes
 * are registered from, and every schema from the zod schemas that validate (components.ts), so a
 * new kind, field or limit shows up here without anyone writing it down twice.
 */
import { KIND_LIST, type KindSpec } from '../catalog/admin-kinds';
import { ERROR_STATUS, type ErrorCode } from '../errors';
import { buildComponents, responseNames, type JsonSchema } from './components';

const ref = (id: string): JsonSchema => ({ $ref: `#/components/schemas/${id}` });
const json = (schema: JsonSchema) => ({ 'application/json': { schema } });

function errors(...codes: ErrorCode[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const code of codes) {
    const status = String(ERROR_STATUS[code]);
    const existing = out[status] as { description: string } | undefined;
    out[status] = { description: existing ? `${existing.description}, \`${code}\`` : `\`${code}\``, content: json(ref('Error')) };
  }
  return out;
}

const AUTH_ERRORS: ErrorCode[] = ['unauthorized', 'forbidden', 'service_misconfigured'];

const ifMatch = (required: boolean) => ({
  name: 'If-Match',
  in: 'header',
  required,
  description: required
    ? 'The ETag from your last read of this entity (`*`: any current version). Missing: 428; stale: 409 with the current ETag.'
    : 'Optional: apply only if the entity still has this ETag (409 otherwise).',
  schema: { type: 'string' },
});

const ETAG_HEADER = { ETag: { description: 'The entity version, for If-Match', schema: { type: 'string' } } };

function kindPaths(spec: KindSpec): Record<string, unknown> {
  const names = responseNames(spec);
  const tag = spec.schemaName;
  const security = [{ adminToken: [] }];
  const keyParam = {
    name: 'key',
    in: 'path',
    required: true,
    description: spec.collection === 'segmentRules' ? 'The rule id, or `<id>@<advertiserId>` for a rule scoped to one advertiser' : `The ${spec.noun} id`,
    schema: { type: 'string' },
  };
  const written = (status: '200' | '201', description: string) => ({
    [status]: { description, headers: ETAG_HEADER, content: json(ref(names.write)) },
  });
  const base = `/v1/admin/${spec.path}`;
  const listParams: unknown[] = [
    { name: 'archived', in: 'query', description: 'Whether archived entities are listed', schema: { type: 'string', enum: ['exclude', 'include', 'only'], default: 'exclude' } },
  ];
  if (spec.owner) listParams.push({ name: spec.owner.field, in: 'query', description: `Only those of this ${spec.owner.collection} id`, schema: { type: 'string' } });

  const paths: Record<string, unknown> = {
    [base]: {
      get: { tags: [tag], summary: `List ${spec.noun}s`, security, parameters: listParams, responses: { '200': { description: 'Live (and, if asked, archived) entities', content: json(ref(names.list)) }, ...errors('invalid_request', ...AUTH_ERRORS) } },
      post: {
        tags: [tag],
        summary: `Create a ${spec.noun}`,
        description: 'Validated with the whole catalog; every problem is reported at once. Publishes a new catalog version.',
        security,
        requestBody: { required: true, content: json(ref(spec.schemaName)) },
        responses: { ...written('201', 'Created and published'), ...errors('invalid_json', 'invalid_request', 'payload_too_large', 'conflict', ...AUTH_ERRORS) },
      },
    },
    [`${base}/{key}`]: {
      parameters: [keyParam],
      get: { tags: [tag], summary: `Read a ${spec.noun}`, security, responses: { '200': { description: 'The entity (archived ones too)', headers: ETAG_HEADER, content: json(ref(names.read)) }, ...errors('not_found', ...AUTH_ERRORS) } },
      put: {
        tags: [tag],
        summary: `Replace a ${spec.noun}`,
        security,
        parameters: [ifMatch(true)],
        requestBody: { required: true, content: json(ref(spec.schemaName)) },
        responses: { ...written('200', 'Replaced and published'), ...errors('invalid_json', 'invalid_request', 'not_found', 'conflict', 'precondition_required', ...AUTH_ERRORS) },
      },
      patch: {
        tags: [tag],
        summary: `Change fields of a ${spec.noun} (JSON Merge Patch, RFC 7396)`,
        description: '`null` removes a field, so a field cannot be set to null this way (use PUT for `targeting: null`).',
        security,
        parameters: [ifMatch(true)],
        requestBody: { required: true, content: { 'application/merge-patch+json': { schema: { type: 'object' } }, 'application/json': { schema: { type: 'object' } } } },
        responses: { ...written('200', 'Changed and published'), ...errors('invalid_json', 'invalid_request', 'not_found', 'conflict', 'precondition_required', ...AUTH_ERRORS) },
      },
    },
  };
  const actions: [string, string][] = [
    ['archive', 'Take it (and what it owns) out of the live catalog; it stays readable and restorable'],
    ['restore', 'Bring it back (with what was archived along with it)'],
  ];
  if (spec.pausable) actions.push(['pause', 'Stop serving it (status paused)'], ['resume', 'Serve it again (status active)']);
  for (const [action, summary] of actions) {
    paths[`${base}/{key}/${action}`] = {
      parameters: [keyParam],
      post: { tags: [tag], summary, security, parameters: [ifMatch(false)], responses: { ...written('200', 'Done (no new version when nothing changed)'), ...errors('invalid_request', 'not_found', 'conflict', ...AUTH_ERRORS) } },
    };
  }
  return paths;
}

function catalogPaths(): Record<string, unknown> {
  const security = [{ adminToken: [] }];
  const tags = ['Catalog'];
  return {
    '/v1/admin/catalog': {
      get: {
        tags,
        summary: 'The current catalog version, the kept versions and the publication history',
        security,
        parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 50 } }],
        responses: { '200': { description: 'Newest first', headers: { ETag: { description: 'The current version, for If-Match on rollback', schema: { type: 'string' } } }, content: json(ref('CatalogInfo')) }, ...errors('invalid_request', ...AUTH_ERRORS) },
      },
    },
    '/v1/admin/catalog/versions/{version}': {
      get: {
        tags,
        summary: 'A kept catalog version, exactly as published',
        security,
        parameters: [{ name: 'version', in: 'path', required: true, schema: { type: 'integer', minimum: 0 } }],
        responses: { '200': { description: 'The document', content: json(ref('CatalogDocument')) }, ...errors('not_found', ...AUTH_ERRORS) },
      },
    },
    '/v1/admin/catalog/rollback': {
      post: {
        tags,
        summary: 'Make a kept version current again (default: the parent of the current version)',
        security,
        parameters: [{ ...ifMatch(false), description: 'Optional: the catalog ETag from GET /v1/admin/catalog (409 if the current version changed since)' }],
        requestBody: { required: false, content: json(ref('RollbackRequest')) },
        responses: { '200': { description: 'Current version moved (or already current)', content: json(ref('RollbackResponse')) }, ...errors('invalid_json', 'invalid_request', 'not_found', 'conflict', ...AUTH_ERRORS) },
      },
    },
  };
}

function publisherPaths(): Record<string, unknown> {
  const security = [{ publisherKey: [] }];
  return {
    '/v1/decisions': {
      post: {
        tags: ['Publisher'],
        summary: 'One ad decision per placement',
        security,
        requestBody: { required: true, content: json(ref('DecisionRequest')) },
        responses: {
          '200': { description: 'One decision per placement (filled with creative HTML and tracking URLs, or empty with a reason); see the README', content: json({ type: 'object' }) },
          ...errors('invalid_json', 'body_unreadable', 'invalid_request', 'payload_too_large', 'json_too_complex', ...AUTH_ERRORS),
        },
      },
    },
    '/v1/events': {
      post: {
        tags: ['Publisher'],
        summary: 'Behavioural events, validated as a batch and queued',
        security,
        requestBody: { required: true, content: json(ref('EventBatch')) },
        responses: {
          '202': { description: 'Every event is queued', content: json(ref('EventsAccepted')) },
          ...errors('invalid_json', 'body_unreadable', 'invalid_request', 'payload_too_large', 'json_too_complex', 'rate_limited', 'queue_unavailable', ...AUTH_ERRORS),
        },
      },
    },
  };
}

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'edgebid',
      version: '1',
      description: 'Campaign management (admin) and publisher APIs. Errors always use the Error schema; see the README for the code table.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: [...KIND_LIST.map((k) => ({ name: k.schemaName })), { name: 'Catalog' }, { name: 'Publisher' }],
    paths: { ...Object.assign({}, ...KIND_LIST.map(kindPaths)), ...catalogPaths(), ...publisherPaths() },
    components: {
      schemas: buildComponents(),
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'The ADMIN_TOKEN secret' },
        publisherKey: { type: 'http', scheme: 'bearer', description: "A publisher's key from AUTH_PRINCIPALS (the admin token works too)" },
      },
    },
  };
}
