/**
 * Reads a JSON body with a hard size cap enforced while streaming (Content-Length can lie or be
 * absent), so an oversized or deeply nested body costs us no more than `maxBytes` of parsing.
 * The Content-Type is not checked: exchanges and `curl -d` send all sorts.
 */
import { AppError } from '../core/errors';

export async function readJsonBody(req: Request, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  if (!req.body) throw new AppError('invalid_json', 'request body is empty; expected a JSON document');
  // Request bodies are byte streams; the platform type leaves the chunk type open.
  const reader = (req.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  if (size === 0) throw new AppError('invalid_json', 'request body is empty; expected a JSON document');
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)) as unknown;
  } catch {
    throw new AppError('invalid_json', 'request body is not valid UTF-8 JSON');
  }
}

function tooLarge(maxBytes: number): AppError {
  return new AppError('payload_too_large', `request body exceeds ${maxBytes} bytes`);
}
