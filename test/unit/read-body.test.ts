import { describe, expect, it } from 'vitest';
import { readBodyText } from '../../src/util/read-body.ts';

/** A response streaming `chunks` without a content-length, as a chunked transfer does. */
function streamed(chunks: string[], failAfter?: number) {
  let sent = 0;
  const state = { cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (failAfter !== undefined && sent === failAfter) controller.error(new Error('connection reset'));
      else if (sent < chunks.length) controller.enqueue(new TextEncoder().encode(chunks[sent++]));
      else controller.close();
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { response: new Response(body), state };
}

describe('Function: readBodyText', () => {
  it('reads the whole body, multi-byte characters split across chunks included', async () => {
    const bytes = new TextEncoder().encode('{"country":"Côte d’Ivoire"}');
    const response = new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(bytes.slice(0, 14)); // cuts 'ô' in two
          controller.enqueue(bytes.slice(14));
          controller.close();
        },
      }),
    );
    expect(await readBodyText(response, 1024)).toEqual({ ok: true, text: '{"country":"Côte d’Ivoire"}' });
  });

  it('stops reading once a body without content-length passes the cap, and releases the stream', async () => {
    const { response, state } = streamed(Array.from({ length: 100 }, () => 'x'.repeat(1000)));
    const result = await readBodyText(response, 4096);
    expect(result).toEqual({ ok: false, reason: 'too-large', bytes: 5000 });
    await new Promise((resolve) => setImmediate(resolve)); // the cancel reaches the source a tick later
    expect(state.cancelled).toBe(true);
  });

  it('refuses at once a body whose content-length passes the cap', async () => {
    const response = new Response('x'.repeat(5000), { headers: { 'content-length': '5000' } });
    expect(await readBodyText(response, 4096)).toEqual({ ok: false, reason: 'too-large', bytes: 5000 });
  });

  it('rejects when the transfer fails mid-way', async () => {
    await expect(readBodyText(streamed(['{"time":', '1'], 1).response, 4096)).rejects.toThrow(
      'connection reset',
    );
  });
});
