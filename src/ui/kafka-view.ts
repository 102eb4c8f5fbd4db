/**
 * The live page's Kafka view, server side: a read-only look into a cluster
 * (what a Kafka UI such as Conduktor is used for), served by the live page's
 * server (src/ui/server.ts) as JSON:
 *
 * - `GET /kafka/topics`: topics (Kafka's internal ones hidden) with each partition's
 *   leader, replicas, log start and end offsets.
 * - `GET /kafka/groups`: consumer groups with state, members and their assignment, and the
 *   committed offset, end offset and lag of each partition they consume.
 * - `GET /kafka/topics/<name>/messages?limit=N`: the newest N messages over all partitions
 *   (key, headers, value pretty-printed when JSON), read without moving any group's offsets
 *   (src/ui/kafka-view-read.ts).
 *
 * Every request is bounded ({@link KafkaViewOptions.timeoutMs}); a request already running is
 * shared rather than repeated, so a page polling a slow cluster never piles requests up. The
 * admin connection opens on the first request and closes when the view stops asking.
 *
 * @module
 */
import { KafkaError } from '../errors.ts';
import { createKafkaClient, type KafkaLike } from '../kafka/client.ts';
import { partitionLag } from '../kafka/lag.ts';
import { silentLogger } from '../logger.ts';
import {
  type KafkaViewOptions,
  type ResolvedKafkaViewOptions,
  resolveKafkaViewOptions,
} from './kafka-view-options.ts';
import { type MessagesRead, readNewestMessages, VIEW_GROUP_PREFIX } from './kafka-view-read.ts';
import {
  type GroupView,
  groupTopics,
  groupTopicView,
  isInternalTopic,
  memberAssignment,
  type PartitionOffsets,
  type TopicView,
  topicView,
} from './kafka-view-shape.ts';

type Admin = ReturnType<KafkaLike['admin']>;

/** `GET /kafka/topics`. */
export interface TopicsView {
  topics: TopicView[];
  /** Internal topics left out. */
  internal: number;
  /** Topics beyond {@link KafkaViewOptions.maxTopics}, left out. */
  more: number;
}

/** `GET /kafka/groups`. */
export interface GroupsView {
  groups: Array<GroupView & { error?: string }>;
  /** Groups beyond {@link KafkaViewOptions.maxGroups}, left out. */
  more: number;
}

/** A read-only look into a Kafka cluster. */
export interface KafkaInspector {
  /** The topic whose messages the page shows first. */
  readonly defaultTopic: string | undefined;
  readonly options: ResolvedKafkaViewOptions;
  topics(): Promise<TopicsView>;
  groups(): Promise<GroupsView>;
  /** The newest `limit` messages of `topic` (default {@link KafkaViewOptions.messages}). */
  messages(topic: string, limit?: number): Promise<MessagesRead>;
  /** Closes the admin connection; later requests open it again. */
  close(): Promise<void>;
}

/** Rejects with a retryable {@link KafkaError} when `work` takes longer than `ms`. */
function bounded<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new KafkaError(`${what}: no answer from Kafka within ${ms} ms`, {
            retryable: true,
            details: { status: 504 },
          }),
        ),
      ms,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Create the view's inspector; nothing connects until the first request. */
export function createKafkaInspector(options: KafkaViewOptions = {}): KafkaInspector {
  const o = resolveKafkaViewOptions(options);
  const logger = o.logger ?? silentLogger;
  // Short connection timeouts: the view answers within timeoutMs or says it could not.
  const kafka = createKafkaClient(
    {
      ...o,
      connectionTimeoutMs: o.connectionTimeoutMs ?? Math.min(5_000, o.timeoutMs),
      requestTimeoutMs: o.requestTimeoutMs ?? o.timeoutMs,
    },
    logger,
  );
  let admin: Promise<Admin> | undefined;
  let idle: NodeJS.Timeout | undefined;
  const running = new Map<string, Promise<unknown>>();

  const disconnect = async () => {
    const current = admin;
    admin = undefined;
    await current?.then((a) => a.disconnect()).catch(() => {});
  };
  const connected = (): Promise<Admin> => {
    if (!admin) {
      const a = kafka.admin();
      admin = a.connect().then(() => a);
      // A failed connect is not kept: the next request tries again.
      admin.catch(() => {
        admin = undefined;
      });
    }
    return admin;
  };

  /** Run `work` once for `key` at a time, bounded; the admin closes when the view goes quiet. */
  function request<T>(key: string, what: string, work: (admin: Admin) => Promise<T>): Promise<T> {
    clearTimeout(idle);
    idle = setTimeout(() => {
      if (running.size === 0) void disconnect();
    }, o.idleMs);
    idle.unref();
    let shared = running.get(key) as Promise<T> | undefined;
    if (!shared) {
      shared = connected()
        .then(work)
        .catch((error: unknown) => {
          // A broken connection is dropped, so the next request reconnects.
          void disconnect();
          throw error;
        })
        .finally(() => running.delete(key));
      running.set(key, shared);
    }
    return bounded(shared, o.timeoutMs, what);
  }

  async function topics(a: Admin): Promise<TopicsView> {
    const all = (await a.listTopics()).sort();
    const names = all.filter((name) => !isInternalTopic(name));
    const shown = names.slice(0, o.maxTopics);
    if (shown.length === 0) return { topics: [], internal: all.length - names.length, more: 0 };
    const [metadata, offsets] = await Promise.all([
      a.fetchTopicMetadata({ topics: shown }),
      Promise.all(shown.map((topic) => a.fetchTopicOffsets(topic))),
    ]);
    const partitions = new Map(metadata.topics.map((t) => [t.name, t.partitions]));
    return {
      topics: shown.map((name, i) => topicView(name, partitions.get(name) ?? [], offsets[i] ?? [])),
      internal: all.length - names.length,
      more: names.length - shown.length,
    };
  }

  async function group(
    a: Admin,
    described: Awaited<ReturnType<Admin['describeGroups']>>['groups'][number],
  ): Promise<GroupsView['groups'][number]> {
    const members = described.members.map((m) => ({
      memberId: m.memberId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      assignment: memberAssignment(described.protocolType, m.memberAssignment),
    }));
    const view: GroupsView['groups'][number] = {
      groupId: described.groupId,
      state: described.state,
      protocolType: described.protocolType,
      protocol: described.protocol,
      members,
      topics: [],
      lag: 0,
    };
    try {
      // No topics named: the group's committed offsets on every topic.
      const committed = await a.fetchOffsets({ groupId: described.groupId });
      // Each topic's end offsets are asked once, for the lag and for the table alike.
      const ends = new Map<string, ReturnType<Admin['fetchTopicOffsets']>>();
      const fetchTopicOffsets = (topic: string) => {
        if (!ends.has(topic)) ends.set(topic, a.fetchTopicOffsets(topic));
        return ends.get(topic)!;
      };
      const once: Admin = { ...a, fetchTopicOffsets };
      for (const topic of groupTopics(committed, members)) {
        const lag = await partitionLag(once, described.groupId, topic);
        const partitions = committed.find((c) => c.topic === topic)?.partitions ?? [];
        view.topics.push(groupTopicView(topic, partitions, await fetchTopicOffsets(topic), lag));
      }
      view.lag = view.topics.reduce((sum, t) => sum + t.lag, 0);
    } catch (error) {
      view.error = (error as Error).message;
    }
    return view;
  }

  async function groups(a: Admin): Promise<GroupsView> {
    const ids = (await a.listGroups()).groups
      .map((g) => g.groupId)
      .filter((id) => !id.startsWith(VIEW_GROUP_PREFIX))
      .sort();
    const shown = ids.slice(0, o.maxGroups);
    if (shown.length === 0) return { groups: [], more: 0 };
    const described = (await a.describeGroups(shown)).groups.sort((x, y) =>
      x.groupId.localeCompare(y.groupId),
    );
    return { groups: await Promise.all(described.map((d) => group(a, d))), more: ids.length - shown.length };
  }

  async function messages(a: Admin, topic: string, limit: number): Promise<MessagesRead> {
    if (!(await a.listTopics()).includes(topic))
      throw new KafkaError(`topic '${topic}' does not exist`, { details: { status: 404 } });
    const offsets: PartitionOffsets[] = await a.fetchTopicOffsets(topic);
    // The read returns what it has a little before the request's own bound.
    return readNewestMessages(kafka, a, topic, offsets, {
      limit,
      maxValueBytes: o.maxValueBytes,
      timeoutMs: Math.max(1, Math.floor(o.timeoutMs * 0.8)),
    });
  }

  return {
    defaultTopic: o.defaultTopic,
    options: o,
    topics: () => request('topics', 'listing topics', topics),
    groups: () => request('groups', 'listing consumer groups', groups),
    messages(topic, limit = o.messages) {
      return request(`messages\n${topic}\n${limit}`, `reading '${topic}'`, (a) => messages(a, topic, limit));
    },
    async close() {
      clearTimeout(idle);
      await Promise.allSettled(running.values());
      await disconnect();
    },
  };
}
