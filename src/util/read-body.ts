/**
 * Reading an HTTP response body with a size cap: `response.text()` reads
 * whatever a server sends, so one huge or endless answer would fill the
 * memory of a long-running poller.
 *
 * @module
 */

/** The body's text, or why it was not read to the end. */
export type BodyText = { ok: true; text: string } | { ok: false; reason: 'too-large'; bytes: number };

/** A body chunk as the fetch implementations give it (WHATWG streams: Uint8Array; node-fetch: Buffer). */
type Chunk = Uint8Array | string;

/**
 * Read `response`'s body as UTF-8 text, stopping (and releasing the connection)
 * as soon as it exceeds `maxBytes`, or before reading anything when
 * `content-length` already says so. Rejects when the transfer fails mid-way
 * (a connection cut, an abort): that is a network error for the caller to retry.
 */
export async function readBodyText(response: Response, maxBytes: number): Promise<BodyText> {
  const declared = Number(response.headers.get('content-length'));
  const body = response.body as (AsyncIterable<Chunk> & { cancel?: () => Promise<void> }) | null;
  if (Number.isFinite(declared) && declared > maxBytes) {
    await cancel(body);
    return { ok: false, reason: 'too-large', bytes: declared };
  }
  if (body === null) return { ok: true, text: '' };
  const decoder = new TextDecoder();
  let bytes = 0;
  let text = '';
  // Both WHATWG streams and Node.js readables are async-iterable; leaving the loop early
  // cancels or destroys the stream, which frees the connection.
  for await (const chunk of body) {
    const part = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
    bytes += part.byteLength;
    if (bytes > maxBytes) return { ok: false, reason: 'too-large', bytes };
    text += decoder.decode(part, { stream: true });
  }
  return { ok: true, text: text + decoder.decode() };
}

async function cancel(body: { cancel?: () => Promise<void>; destroy?: () => void } | null): Promise<void> {
  try {
    if (typeof body?.cancel === 'function') await body.cancel();
    else body?.destroy?.();
  } catch {
    // Releasing the connection is best effort.
  }
}
