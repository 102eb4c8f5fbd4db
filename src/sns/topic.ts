/**
 * Finding (or creating) the topic to publish to.
 *
 * @module
 */
import { CreateTopicCommand, ListTopicsCommand, type SNSClient } from '@aws-sdk/client-sns';
import { AbortError, isOpenSkyStreamError, SnsPublishError } from '../errors.ts';
import { classifyError } from './classify.ts';

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:([^:]+)$/;
const TOPIC_NAME = /^[A-Za-z0-9_-]+(\.fifo)?$/;

/** True when `name` is a valid topic name: 1–256 of `A-Z a-z 0-9 _ -`, FIFO names ending in `.fifo`. */
export function isValidTopicName(name: string): boolean {
  return name.length <= 256 && TOPIC_NAME.test(name);
}

/** True when `value` is an SNS topic ARN (`arn:aws:sns:<region>:<account>:<name>`). */
export function isTopicArn(value: string): boolean {
  const name = TOPIC_ARN.exec(value)?.[1];
  return name !== undefined && isValidTopicName(name);
}

/** FIFO topics' names (and so ARNs) end with `.fifo`. */
export function isFifoTopic(nameOrArn: string): boolean {
  return nameOrArn.endsWith('.fifo');
}

/** Options of {@link resolveTopicArn}. */
export interface ResolveTopicOptions {
  /** Create the topic when it does not exist (CreateTopic is idempotent). @default false */
  createIfMissing?: boolean;
  /** Attributes for CreateTopic; `FifoTopic: 'true'` is added for `.fifo` names. */
  attributes?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * The ARN of the topic named `name`: created with CreateTopic when
 * `createIfMissing` (idempotent: an existing topic's ARN comes back), else
 * found with ListTopics. Throws {@link SnsPublishError} when it does not
 * exist or the calls fail (`retryable` for throttling, 5xx and network
 * errors), {@link AbortError} when `signal` aborts.
 */
export async function resolveTopicArn(
  client: Pick<SNSClient, 'send'>,
  name: string,
  options: ResolveTopicOptions = {},
): Promise<string> {
  try {
    return await lookUp(client, name, options);
  } catch (error) {
    if (isOpenSkyStreamError(error)) throw error;
    if (options.signal?.aborted)
      throw new AbortError('topic lookup aborted', { cause: options.signal.reason });
    const { code, message, retryable } = classifyError(error);
    throw new SnsPublishError(`cannot resolve SNS topic '${name}': ${code}: ${message}`, {
      cause: error,
      retryable,
      details: { topicName: name, code },
    });
  }
}

async function lookUp(client: Pick<SNSClient, 'send'>, name: string, options: ResolveTopicOptions) {
  const abortSignal = options.signal;
  if (options.createIfMissing) {
    const attributes = { ...options.attributes, ...(isFifoTopic(name) ? { FifoTopic: 'true' } : {}) };
    const { TopicArn } = await client.send(
      new CreateTopicCommand({
        Name: name,
        ...(Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
      }),
      { abortSignal },
    );
    if (!TopicArn) throw new SnsPublishError(`CreateTopic for '${name}' returned no ARN`);
    return TopicArn;
  }
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListTopicsCommand({ NextToken }), { abortSignal });
    const found = page.Topics?.find((topic) => topic.TopicArn?.split(':').at(-1) === name);
    if (found?.TopicArn) return found.TopicArn;
    NextToken = page.NextToken;
  } while (NextToken);
  throw new SnsPublishError(`SNS topic '${name}' does not exist (set createIfMissing, or deploy it first)`, {
    details: { topicName: name },
  });
}
