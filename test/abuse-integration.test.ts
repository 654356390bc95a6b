/**
 * Body limits on every JSON endpoint, enforced while the body streams in and before JSON.parse:
 * size (413), nesting depth and elements per array/object (400 json_too_complex). Each limit is
 * checked at the boundary: the largest allowed body passes the limit, one more byte/level/element
 * does not.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../src/core/errors';
import { JSON_SHAPE_LIMITS, readJsonBody } from '../src/http/body';
import { fetchWorker, ORIGIN } from './helpers';

interface ErrorJson {
  error: { code: string; status: number; message: string };
}

const KiB = 1024;
const CAPS = [
  ['/openrtb2/bid', 256 * KiB],
  ['/v1/events', 512 * KiB],
  ['/v1/decisions', 64 * KiB],
] as const;

const send = (path: string, body: BodyInit) => fetchWorker(`${ORIGIN}${path}`, { method: 'POST', body });

/** A JSON object of exactly `bytes` bytes. */
function padded(bytes: number): string {
  const shell = '{"pad":""}';
  return `{"pad":"${'x'.repeat(bytes - shell.length)}"}`;
}

/** `depth` nested arrays around a number. */
function nested(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

async function code(res: Response): Promise<string> {
  return (await res.json<ErrorJson>()).error.code;
}

beforeAll(async () => {
  await fetchWorker(`${ORIGIN}/healthz`); // the first request loads every module
}, 60_000);

describe.each(CAPS)('POST %s (cap %i bytes)', (path, cap) => {
  it('reads a body of exactly the cap, refuses one byte more with 413', async () => {
    const atCap = await send(path, padded(cap));
    expect(atCap.status).toBe(400);
    expect(await code(atCap)).toBe('invalid_request');
    const over = await send(path, padded(cap + 1));
    expect(over.status).toBe(413);
    expect(await code(over)).toBe('payload_too_large');
  });

  it('stops reading a streamed body without a length once it passes the cap', async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(16 * KiB).fill(0x20));
        if (pulled * 16 * KiB > cap * 4) controller.close();
      },
    });
    const res = await send(path, body);
    expect(res.status).toBe(413);
    expect(pulled * 16 * KiB).toBeLessThan(cap * 2);
  });

  it(`parses ${JSON_SHAPE_LIMITS.maxDepth} levels of nesting, refuses one more with 400 json_too_complex`, async () => {
    const atLimit = await send(path, nested(JSON_SHAPE_LIMITS.maxDepth));
    expect(atLimit.status).toBe(400);
    expect(await code(atLimit)).toBe('invalid_request');
    const over = await send(path, nested(JSON_SHAPE_LIMITS.maxDepth + 1));
    expect(over.status).toBe(400);
    const body = await over.json<ErrorJson>();
    expect(body.error).toEqual({ code: 'json_too_complex', status: 400, message: `JSON nesting is deeper than ${JSON_SHAPE_LIMITS.maxDepth} levels` });
  });

  it(`parses an array of ${JSON_SHAPE_LIMITS.maxElements} elements, refuses one more`, async () => {
    const list = (n: number) => `{"list":[${new Array<string>(n).fill('0').join(',')}]}`;
    const atLimit = await send(path, list(JSON_SHAPE_LIMITS.maxElements));
    expect(await code(atLimit)).toBe('invalid_request');
    const over = await send(path, list(JSON_SHAPE_LIMITS.maxElements + 1));
    expect(over.status).toBe(400);
    expect(await code(over)).toBe('json_too_complex');
  });
});

describe('a body that breaks off', () => {
  it('is a 400 body_unreadable, not a 500 (regression: a body stream failing mid-read ended as internal)', async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        if (pulled === 1) controller.enqueue(new TextEncoder().encode('{"id":"broken-'));
        else controller.error(new Error('connection reset by peer'));
      },
    });
    const req = new Request(`${ORIGIN}/openrtb2/bid`, { method: 'POST', body });
    const err = await readJsonBody(req, 64 * KiB).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'body_unreadable', status: 400 });
  });
});

describe('nested brackets', () => {
  it('refuses a stream of brackets at the first chunk, without reading the rest', async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new TextEncoder().encode('['.repeat(16 * KiB)));
        if (pulled >= 32) controller.close();
      },
    });
    const res = await send('/v1/events', body);
    expect(res.status).toBe(400);
    expect(await code(res)).toBe('json_too_complex');
    expect(pulled).toBeLessThan(4);
  });

  it('ignores brackets inside strings', async () => {
    const res = await send('/v1/events', JSON.stringify({ events: [], note: '['.repeat(10_000) }));
    expect(res.status).toBe(400);
    expect(await code(res)).toBe('invalid_request');
  });
});
