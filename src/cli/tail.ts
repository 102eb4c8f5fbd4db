/**
 * A temporary SQS queue subscribed to the notifications topic: what `tail`
 * and the demo print. Cleaned up on close.
 */
import { ListTopicsCommand, type SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { SqsQueueReader } from '../aws/sqs-queue.ts';
import { ConfigError } from '../errors.ts';
import { pause } from '../util/retry.ts';

export interface Tail {
  /** Wait up to `waitSeconds` for notifications; deletes what it returns from the queue. */
  receive(waitSeconds?: number): Promise<Message[]>;
  /**
   * Keep the queue drained with `receivers` parallel long polls until `signal`
   * aborts, handing each batch to `onMessages` (after it is deleted). Errors
   * are passed to `onError` and the receiver goes on after a pause.
   */
  drain(
    onMessages: (messages: Message[]) => void,
    options: { signal: AbortSignal; receivers?: number; onError?: (error: unknown) => void },
  ): Promise<void>;
  close(): Promise<void>;
}

export async function topicArnByName(sns: SNSClient, name: string): Promise<string> {
  let NextToken: string | undefined;
  do {
    const page = await sns.send(new ListTopicsCommand({ NextToken }));
    const found = page.Topics?.find((t) => t.TopicArn?.split(':').pop() === name);
    if (found?.TopicArn) return found.TopicArn;
    NextToken = page.NextToken;
  } while (NextToken);
  throw new ConfigError(
    '--topic-name',
    `SNS topic '${name}' does not exist (run \`opensky-stream deploy\` first)`,
  );
}

export async function openTail(
  clients: { sns: SNSClient; sqs: SQSClient },
  topicArn: string,
  options: { countries?: string[] } = {},
): Promise<Tail> {
  const { sns, sqs } = clients;
  const QueueName = `opensky-stream-tail-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName, Attributes: { MessageRetentionPeriod: '3600' } }),
  );
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queueArn = Attributes!.QueueArn!;
  // On AWS the queue must allow the topic to send to it.
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl,
      Attributes: {
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'sns.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: queueArn,
              Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
            },
          ],
        }),
      },
    }),
  );
  const { SubscriptionArn } = await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: queueArn,
      ReturnSubscriptionArn: true,
      Attributes: {
        RawMessageDelivery: 'true',
        ...(options.countries?.length
          ? { FilterPolicy: JSON.stringify({ origin_country: options.countries }) }
          : {}),
      },
    }),
  );
  const reader = new SqsQueueReader(sqs, QueueUrl!);
  const receive = async (waitSeconds = 1) => {
    const messages = await reader.receive({ max: 10, waitSeconds });
    if (messages.length) await reader.delete(messages);
    return messages;
  };
  let closed = false;
  return {
    receive,
    async drain(onMessages, { signal, receivers = 4, onError }) {
      const loop = async () => {
        while (!signal.aborted && !closed) {
          try {
            const messages = await receive(1);
            if (messages.length) onMessages(messages);
          } catch (error) {
            if (signal.aborted || closed) return;
            onError?.(error);
            await pause(500, signal);
          }
        }
      };
      await Promise.all(Array.from({ length: receivers }, loop));
    },
    async close() {
      if (closed) return;
      closed = true;
      reader.destroy();
      await sns.send(new UnsubscribeCommand({ SubscriptionArn })).catch(() => undefined);
      await sqs.send(new DeleteQueueCommand({ QueueUrl })).catch(() => undefined);
    },
  };
}

/** One printable line for a notification. */
export function formatNotification(message: Message): string {
  try {
    const r = JSON.parse(message.Body ?? '') as Record<string, unknown>;
    const where = r.latitude === null ? 'position unknown' : `${r.latitude},${r.longitude}`;
    return `✈ ${String(r.callsign ?? r.icao24).padEnd(8)} ${String(r.origin_country).padEnd(22)} ${String(r.altitude_feet).padStart(6)} ft ${String(r.velocity_knots ?? '?').padStart(4)} kn  ${where}  ${r.time_position ?? ''}`;
  } catch {
    return message.Body ?? '';
  }
}

/** Seconds between `time_position` (ISO-8601) and now; undefined without one. */
function positionAgeSeconds(body: string | undefined, now: number): number | undefined {
  const match = /"time_position":"([^"]+)"/.exec(body ?? '');
  const time = match ? Date.parse(match[1]!) : Number.NaN;
  return Number.isNaN(time) ? undefined : (now - time) / 1000;
}

/**
 * What the demo shows of a stream too fast to read: a few sample
 * notifications a second and one status line (counters, rate, display lag:
 * now minus the newest position time received in the last second, which is
 * about now minus the snapshot time). On a terminal the status line is
 * redrawn in place; otherwise samples are plain lines and the status is a
 * progress log every ten seconds.
 */
export function notificationDisplay(options: {
  show: number;
  logger: { info(message: string, fields?: Record<string, unknown>): void };
  out?: NodeJS.WriteStream;
  status?: NodeJS.WriteStream;
}) {
  const out = options.out ?? process.stdout;
  const status = options.status ?? process.stderr;
  const tty = status.isTTY === true && out.isTTY === true;
  let samples: string[] = [];
  let newestAge: number | undefined;
  let ticks = 0;
  return {
    add(messages: Message[]): void {
      const now = Date.now();
      for (const message of messages) {
        const age = positionAgeSeconds(message.Body, now);
        if (age !== undefined && (newestAge === undefined || age < newestAge)) newestAge = age;
        if (samples.length < options.show) samples.push(formatNotification(message));
      }
    },
    tick(fields: Record<string, number | string>): void {
      const all: Record<string, number | string> = {
        ...fields,
        'display lag': newestAge === undefined ? '–' : `${newestAge.toFixed(1)} s`,
      };
      if (tty) status.write('\r\x1b[2K');
      if (samples.length) out.write(`${samples.join('\n')}\n`);
      if (tty) {
        status.write(
          Object.entries(all)
            .map(
              ([key, value]) => `${key} ${typeof value === 'number' ? value.toLocaleString('en-US') : value}`,
            )
            .join('  '),
        );
      } else if (++ticks % 10 === 0) {
        options.logger.info('progress', all);
      }
      samples = [];
      newestAge = undefined;
    },
    close(): void {
      if (tty) status.write('\n');
    },
  };
}
