/**
 * A real local HTTP server that answers SNS PublishBatch (the query protocol
 * the SDK speaks), confirming every entry or holding the request unanswered:
 * for tests of what happens to records SNS never confirmed. No client mocks.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SnsTestServer {
  endpoint: string;
  /** Entries per PublishBatch request received, in order (the `Message` of each). */
  requests: string[][];
  /** Resolves once `n` PublishBatch requests have arrived. */
  received(n: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * `hold(n)` (n = 1 for the first request) decides whether request `n` is left unanswered;
 * `reject(message)` names the SNS error code of an entry to fail (a sender fault: not retried).
 */
export async function startSnsServer(
  options: { hold?: (n: number) => boolean; reject?: (message: string) => string | undefined } = {},
): Promise<SnsTestServer> {
  const requests: string[][] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => {
      raw += chunk;
    });
    req.on('end', () => {
      const form = new URLSearchParams(raw);
      const ids: string[] = [];
      const messages: string[] = [];
      for (let i = 1; form.has(`PublishBatchRequestEntries.member.${i}.Id`); i++) {
        ids.push(form.get(`PublishBatchRequestEntries.member.${i}.Id`)!);
        messages.push(form.get(`PublishBatchRequestEntries.member.${i}.Message`) ?? '');
      }
      requests.push(messages);
      for (const waiter of waiters.filter((w) => requests.length >= w.n)) waiter.resolve();
      if (options.hold?.(requests.length)) {
        held.push(res);
        return;
      }
      let successful = '';
      let failed = '';
      ids.forEach((id, i) => {
        const code = options.reject?.(messages[i]!);
        if (code)
          failed += `<member><Id>${id}</Id><Code>${code}</Code><Message>no</Message><SenderFault>true</SenderFault></member>`;
        else successful += `<member><Id>${id}</Id><MessageId>m-${id}-${requests.length}</MessageId></member>`;
      });
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        '<PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">' +
          `<PublishBatchResult><Successful>${successful}</Successful><Failed>${failed}</Failed></PublishBatchResult>` +
          '<ResponseMetadata><RequestId>test</RequestId></ResponseMetadata></PublishBatchResponse>',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    received: (n) =>
      new Promise((resolve) => {
        if (requests.length >= n) resolve();
        else waiters.push({ n, resolve });
      }),
    close: () =>
      new Promise((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
