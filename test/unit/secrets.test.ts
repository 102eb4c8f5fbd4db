import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { loadOpenSkyCredentials, OpenSkySource } from '../../src/opensky/index.ts';
import { generateSnapshot } from '../../src/synthetic/index.ts';
import { runCli } from '../support/cli.ts';
import { type OpenSkyTestServer, startOpenSkyServer } from '../support/opensky-server.ts';

// A secret nobody else writes: any part of it in an error, a log line or the CLI's output is a leak.
const SENTINEL = 'S3NT1NEL-7f3a9c41';
const leaks = (text: string) => /S3NT1NEL|7f3a9c41/.test(text);
/** Everything an error can show: message, JSON, and util.inspect (stack, cause, details). */
const everything = (error: unknown) =>
  `${String(error)} ${JSON.stringify(error)} ${inspect(error, { depth: 5 })}`;

function capturingLogger() {
  const lines: string[] = [];
  const log = (message: string, fields?: Record<string, unknown>) =>
    lines.push(`${message} ${JSON.stringify(fields ?? {})}`);
  return { logger: { debug: log, info: log, warn: log, error: log }, lines };
}

function credentialsFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'secret-')), 'credentials.json');
  writeFileSync(file, text);
  return file;
}

let server: OpenSkyTestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('Secrets never reach errors, logs or the CLI output', () => {
  it.each([
    ['an unquoted secret', `{"clientId": "me", "clientSecret": ${SENTINEL}}`],
    ['a single-quoted secret', `{"clientId": "me", "clientSecret": '${SENTINEL}'}`],
    ['a missing comma after the secret', `{"clientId": "me",\n "clientSecret": "${SENTINEL}"\n "x": 1}`],
    ['a truncated file', `{"clientId": "me", "clientSecret": "${SENTINEL}`],
  ])('a malformed credentials.json (%s) is reported by position, not by content', (_, text) => {
    const file = credentialsFile(text);
    let error: unknown;
    try {
      loadOpenSkyCredentials({ file, env: {} });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(/not valid JSON/);
    expect(leaks(everything(error))).toBe(false);
  });

  it('the CLI reports a malformed credentials.json with exit code 2 and without its contents', async () => {
    const file = credentialsFile(`{"clientId": "me", "clientSecret": ${SENTINEL}}`);
    const result = await runCli(['produce', '--credentials-file', file, '--log-level', 'debug']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/OSS_CONFIG: credentials file .* is not valid JSON/);
    expect(leaks(result.stdout + result.stderr)).toBe(false);
  });

  it('OpenSkySource: token-endpoint failures and rejections mention neither the secret nor the token', async () => {
    // The token endpoint fails, then drops the connection, then rejects the client.
    server = await startOpenSkyServer({
      replies: [{ body: generateSnapshot({ aircraft: 1, time: 1 }) }],
      token: {
        value: () => SENTINEL,
        status: 401,
        replies: [{ status: 500, body: `client_secret=${SENTINEL}` }, { destroy: true }],
      },
    });
    const { logger, lines } = capturingLogger();
    const source = new OpenSkySource({
      baseUrl: server.baseUrl,
      retry: { baseMs: 1 },
      logger,
      credentials: { clientId: 'me', clientSecret: SENTINEL, tokenUrl: server.tokenUrl },
    });
    const error = await (async () => {
      try {
        for await (const _ of source) break;
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toMatchObject({ code: 'OSS_AUTH' });
    expect(server.tokenRequests).toHaveLength(3);
    expect(lines.length).toBeGreaterThan(0);
    expect(leaks(`${everything(error)} ${lines.join('\n')}`)).toBe(false);
  });

  it('the CLI does not show the AWS secret key when AWS refuses the request', async () => {
    const aws = createServer((_req, res) => {
      res.writeHead(403, { 'content-type': 'text/xml' });
      res.end(
        '<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>' +
          '<Message>The request signature we calculated does not match the signature you provided.</Message>' +
          '</Error><RequestId>x</RequestId></ErrorResponse>',
      );
    });
    await new Promise<void>((resolve) => aws.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(aws.address() as AddressInfo).port}`;
    try {
      const result = await runCli(['tail', '--endpoint-url', endpoint, '--log-level', 'debug'], {
        AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
        AWS_SECRET_ACCESS_KEY: SENTINEL,
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/SignatureDoesNotMatch|signature/i);
      expect(leaks(result.stdout + result.stderr)).toBe(false);
    } finally {
      aws.closeAllConnections();
      await new Promise((resolve) => aws.close(resolve));
    }
  });

  it('the CLI does not show the Kafka SASL password in a configuration error', async () => {
    const result = await runCli(['produce', '--sasl-mechanism', 'plain', '--log-level', 'debug'], {
      KAFKA_SASL_PASSWORD: SENTINEL,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/KAFKA_SASL_USERNAME/);
    expect(leaks(result.stdout + result.stderr)).toBe(false);
  });
});
