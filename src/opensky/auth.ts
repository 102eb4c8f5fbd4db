/**
 * OpenSky authentication: OAuth2 client credentials, the only scheme since
 * basic auth ended on 2026-03-18. Tokens last 30 minutes; they are refreshed
 * ahead of expiry, and once more when the API answers 401.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import crossFetch from 'cross-fetch';
import { AuthError, ConfigError } from '../errors.ts';
import { type BodyText, readBodyText } from '../util/read-body.ts';

/** OpenSky's token endpoint. */
export const OPENSKY_TOKEN_URL =
  'https://auth.opensky-network.org/auth/realms/opensky-network/protocol/openid-connect/token';

/** Largest token response read: a token response is a few kilobytes. */
const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

/** OAuth2 client credentials of an OpenSky API client. */
export interface OpenSkyCredentials {
  clientId: string;
  clientSecret: string;
  /** @default {@link OPENSKY_TOKEN_URL} */
  tokenUrl?: string;
}

/**
 * Credentials from OpenSky's `credentials.json` (`{"clientId", "clientSecret"}`)
 * when `file` is given, else from `OPENSKY_CLIENT_ID` / `OPENSKY_CLIENT_SECRET`
 * (or `OPENSKY_CREDENTIALS_FILE`). Undefined when none are configured.
 */
export function loadOpenSkyCredentials(
  options: { file?: string; env?: NodeJS.ProcessEnv } = {},
): OpenSkyCredentials | undefined {
  const env = options.env ?? process.env;
  const file = options.file ?? env.OPENSKY_CREDENTIALS_FILE;
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError('credentials file', `${file} could not be read: ${(error as Error).message}`);
    }
    let parsed: { clientId?: unknown; clientSecret?: unknown };
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      // V8's message quotes the text around the fault, which here is the secret: say where only.
      throw new ConfigError('credentials file', `${file} is not valid JSON${faultPosition(text, error)}`);
    }
    if (parsed === null || typeof parsed !== 'object') {
      throw new ConfigError('credentials file', `${file} must hold a JSON object`);
    }
    if (typeof parsed.clientId !== 'string' || typeof parsed.clientSecret !== 'string') {
      throw new ConfigError('credentials file', `${file} must have string "clientId" and "clientSecret"`);
    }
    return {
      clientId: parsed.clientId,
      clientSecret: parsed.clientSecret,
      tokenUrl: env.OPENSKY_TOKEN_URL || undefined,
    };
  }
  const clientId = env.OPENSKY_CLIENT_ID;
  const clientSecret = env.OPENSKY_CLIENT_SECRET;
  if (!clientId && !clientSecret) return undefined;
  if (!clientId || !clientSecret) {
    throw new ConfigError('OPENSKY_CLIENT_ID', 'and OPENSKY_CLIENT_SECRET must be set together');
  }
  return { clientId, clientSecret, tokenUrl: env.OPENSKY_TOKEN_URL || undefined };
}

/** ` (line L, column C)` of a JSON.parse error, from its position; never any of the text. */
function faultPosition(text: string, error: unknown): string {
  const message = (error as Error).message ?? '';
  const match = /position (\d+)/.exec(message);
  const position = match ? Number(match[1]) : /end of JSON input/.test(message) ? text.length : undefined;
  if (position === undefined) return ' (check the quotes around each value)';
  const before = text.slice(0, position).split('\n');
  return ` (line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1})`;
}

/** Gets and caches bearer tokens; never logs or reports the secret. */
export class TokenProvider {
  private token: { value: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;

  private readonly credentials: OpenSkyCredentials;
  private readonly options: {
    fetch?: typeof fetch;
    refreshAheadMs?: number;
    timeoutMs?: number;
    now?: () => number;
  };

  constructor(
    credentials: OpenSkyCredentials,
    options: { fetch?: typeof fetch; refreshAheadMs?: number; timeoutMs?: number; now?: () => number } = {},
  ) {
    this.credentials = credentials;
    this.options = options;
  }

  /** A valid token, fetched anew when missing or about to expire. */
  get(signal?: AbortSignal): Promise<string> {
    const now = (this.options.now ?? Date.now)();
    if (this.token && now < this.token.expiresAt - (this.options.refreshAheadMs ?? 60_000)) {
      return Promise.resolve(this.token.value);
    }
    this.pending ??= this.request(signal).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forget the cached token (after a 401). */
  invalidate(): void {
    this.token = undefined;
  }

  private async request(signal?: AbortSignal): Promise<string> {
    const url = this.credentials.tokenUrl ?? OPENSKY_TOKEN_URL;
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.credentials.clientId,
      client_secret: this.credentials.clientSecret,
    });
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 15_000);
    let response: Response;
    try {
      response = await (this.options.fetch ?? (crossFetch as typeof fetch))(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: body.toString(),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      throw new AuthError(`token request to ${url} failed: ${(error as Error).message}`, {
        cause: error,
        retryable: true,
      });
    }
    let read: BodyText;
    try {
      read = await readBodyText(response, MAX_TOKEN_RESPONSE_BYTES);
    } catch (error) {
      // A transfer cut short is a network failure like a dropped connection: worth a retry.
      throw new AuthError(`the token response from ${url} was cut short: ${(error as Error).message}`, {
        cause: error,
        retryable: true,
      });
    }
    const text = read.ok ? read.text : '';
    if (!response.ok) {
      throw new AuthError(
        `token request for client '${this.credentials.clientId}' failed with HTTP ${response.status}` +
          (response.status === 400 || response.status === 401 ? ' (check the client id and secret)' : ''),
        // Server trouble and throttling pass; rejected credentials (400/401 invalid_client) do not.
        { retryable: response.status >= 500 || response.status === 429 || response.status === 408 },
      );
    }
    if (!read.ok) throw new AuthError(`the token response is larger than ${MAX_TOKEN_RESPONSE_BYTES} bytes`);
    let parsed: { access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new AuthError('the token endpoint answered with something other than JSON');
    }
    if (typeof parsed.access_token !== 'string')
      throw new AuthError('the token response has no access_token');
    const lifetime = typeof parsed.expires_in === 'number' ? parsed.expires_in * 1000 : 1_800_000;
    this.token = { value: parsed.access_token, expiresAt: (this.options.now ?? Date.now)() + lifetime };
    return parsed.access_token;
  }
}
