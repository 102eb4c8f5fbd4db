/**
 * The Kafka view's HTTP routes (`/kafka/…`) as answers of the live page's
 * server: a status and a JSON body, errors included, so that the page can
 * show what went wrong and a failing cluster never fails the server.
 *
 * @module
 */
import { isOpenSkyStreamError } from '../errors.ts';
import type { KafkaInspector } from './kafka-view.ts';

/** An answer to one request. */
export interface KafkaViewAnswer {
  status: number;
  body: unknown;
}

// Kafka's topic names: 1–249 of letters, digits, '.', '_' and '-'.
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

/** Where `/kafka/topics/<name>/messages` names a topic, and the limit asked for; undefined otherwise. */
export function parseMessagesPath(pathname: string): string | undefined {
  const match = /^\/kafka\/topics\/([^/]+)\/messages$/.exec(pathname);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return '';
  }
}

/** Answer `GET <pathname>?<query>` for the Kafka view; `undefined` when the path is not one of its routes. */
export async function kafkaViewAnswer(
  inspector: KafkaInspector | undefined,
  pathname: string,
  query: string,
): Promise<KafkaViewAnswer | undefined> {
  if (pathname !== '/kafka' && !pathname.startsWith('/kafka/')) return undefined;
  if (!inspector)
    return { status: 404, body: { error: 'no Kafka view: this page runs without Kafka brokers' } };
  try {
    if (pathname === '/kafka') return { status: 200, body: { defaultTopic: inspector.defaultTopic ?? null } };
    if (pathname === '/kafka/topics') return { status: 200, body: await inspector.topics() };
    if (pathname === '/kafka/groups') return { status: 200, body: await inspector.groups() };
    const topic = parseMessagesPath(pathname);
    if (topic === undefined) return { status: 404, body: { error: `no such route: ${pathname}` } };
    if (!TOPIC.test(topic)) return { status: 400, body: { error: `not a topic name: '${topic}'` } };
    const raw = new URLSearchParams(query).get('limit');
    const limit = raw === null || raw === '' ? inspector.options.messages : Number(raw);
    const max = inspector.options.maxMessages;
    if (!Number.isInteger(limit) || limit < 1 || limit > max)
      return { status: 400, body: { error: `limit must be an integer from 1 to ${max}, got '${raw}'` } };
    return { status: 200, body: await inspector.messages(topic, limit) };
  } catch (error) {
    const message = (error as Error).message;
    // 404 for a topic that does not exist, 504 for a timeout, 502 for whatever Kafka answered.
    const status = (isOpenSkyStreamError(error) && (error.details.status as number | undefined)) || 502;
    return { status, body: { error: message } };
  }
}
