/**
 * A mapping's `SourceAccessConfigurations` → how the poller connects, read
 * from Secrets Manager (on the local stack: moto, behind the same endpoint)
 * in the secret formats Lambda documents for self-managed Kafka:
 * `{"username","password"}` for BASIC_AUTH (SASL/PLAIN) and SASL/SCRAM,
 * `{"certificate"}` (root CA) for SERVER_ROOT_CA_CERTIFICATE,
 * `{"certificate","privateKey","privateKeyPassword"?}` for CLIENT_CERTIFICATE_TLS_AUTH.
 * TLS is used when a CA or client certificate is given; VPC entries mean nothing here.
 */
import type { ConnectionOptions } from 'node:tls';
import { signPost } from '../../aws/signed-http.ts';
import type { KafkaSaslOptions } from '../../kafka/client.ts';
import type { MappingConnection } from './invoker-options.ts';
import type { SourceAccessConfiguration } from './shapes.ts';

const SASL_MECHANISMS: Record<string, KafkaSaslOptions['mechanism']> = {
  BASIC_AUTH: 'plain',
  SASL_SCRAM_256_AUTH: 'scram-sha-256',
  SASL_SCRAM_512_AUTH: 'scram-sha-512',
};

/** Reads one secret's `SecretString`, parsed as JSON. */
export type SecretReader = (arn: string) => Promise<Record<string, string>>;

/** Build the connection from already-read secrets. */
export async function connectionFromAccess(
  access: readonly SourceAccessConfiguration[] | undefined,
  read: SecretReader,
): Promise<MappingConnection> {
  const connection: MappingConnection = {};
  const tls: ConnectionOptions = {};
  let useTls = false;
  for (const { Type: type, URI: uri } of access ?? []) {
    if (!uri || type.startsWith('VPC_')) continue;
    const secret = await read(uri);
    const mechanism = SASL_MECHANISMS[type];
    if (mechanism) {
      if (!secret.username || !secret.password)
        throw new Error(`secret ${uri} (${type}) must hold "username" and "password"`);
      connection.sasl = { mechanism, username: secret.username, password: secret.password };
    } else if (type === 'SERVER_ROOT_CA_CERTIFICATE') {
      if (!secret.certificate) throw new Error(`secret ${uri} (${type}) must hold "certificate"`);
      tls.ca = secret.certificate;
      useTls = true;
    } else if (type === 'CLIENT_CERTIFICATE_TLS_AUTH') {
      if (!secret.certificate || !secret.privateKey)
        throw new Error(`secret ${uri} (${type}) must hold "certificate" and "privateKey"`);
      tls.cert = secret.certificate;
      tls.key = secret.privateKey;
      if (secret.privateKeyPassword) tls.passphrase = secret.privateKeyPassword;
      useTls = true;
    }
  }
  if (useTls) connection.ssl = tls;
  return connection;
}

/** A {@link SecretReader} calling GetSecretValue at `endpoint`, signed with `credentials`. */
export function secretsManagerReader(input: {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}): SecretReader {
  return async (arn) => {
    const url = new URL('/', input.endpoint);
    const body = JSON.stringify({ SecretId: arn });
    const headers = signPost({
      url,
      body,
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'secretsmanager.GetSecretValue',
      },
      service: 'secretsmanager',
      region: input.region,
      credentials: input.credentials,
      date: new Date(),
    });
    const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
    const text = await response.text();
    if (!response.ok)
      throw new Error(`GetSecretValue ${arn} failed (${response.status}): ${text.slice(0, 300)}`);
    const { SecretString } = JSON.parse(text) as { SecretString?: string };
    if (!SecretString) throw new Error(`secret ${arn} has no SecretString`);
    return JSON.parse(SecretString) as Record<string, string>;
  };
}
