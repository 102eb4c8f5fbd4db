/**
 * Removing what {@link deployPipelineResources} created, one function per
 * resource: the function's event source mappings and the function, the SNS
 * topic, and the topic's place in the shared role (the role too, once no
 * topic is left in it). What is already gone is reported `absent`, never an
 * error, so destroy can be run again after a partial failure.
 *
 * @module
 */
import { IAMClient } from '@aws-sdk/client-iam';
import {
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { DeleteTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { isOpenSkyStreamError } from '../errors.ts';
import { type Logger, silentLogger } from '../logger.ts';
import { resolveTopicArn } from '../sns/topic.ts';
import { type CurrentFunction, currentFunction } from './function.ts';
import { type DestroyOptions, resolveDestroyOptions } from './options.ts';
import { managedRoleName, type RoleRelease, releaseRole } from './role.ts';

export type { DestroyOptions } from './options.ts';

/** What {@link destroyPipelineResources} did, per resource. */
export interface DestroyResult {
  functionName: string;
  function: 'deleted' | 'absent';
  /** UUIDs of the event source mappings deleted with the function. */
  eventSourceMappings: string[];
  topicArn: string | undefined;
  topic: 'deleted' | 'absent';
  /**
   * The shared role `opensky-stream-lambda`: the topic taken out of it, or the role deleted;
   * `not-managed` for a role of yours; `untouched` when there was no topic to take out.
   */
  role: RoleRelease | 'not-managed' | 'untouched';
}

const notFound = (error: unknown) => error instanceof ResourceNotFoundException;

/** Delete the function's event source mappings (they outlive a deleted function on AWS); their UUIDs. */
export async function deleteEventSourceMappings(
  lambda: LambdaClient,
  functionName: string,
): Promise<string[]> {
  const deleted: string[] = [];
  let Marker: string | undefined;
  do {
    const page = await lambda.send(
      new ListEventSourceMappingsCommand({ FunctionName: functionName, Marker }),
    );
    for (const mapping of page.EventSourceMappings ?? []) {
      if (!mapping.UUID) continue;
      try {
        await lambda.send(new DeleteEventSourceMappingCommand({ UUID: mapping.UUID }));
        deleted.push(mapping.UUID);
      } catch (error) {
        if (!notFound(error)) throw error;
      }
    }
    Marker = page.NextMarker;
  } while (Marker);
  return deleted;
}

/** Delete the function; `absent` when there was none. */
export async function deleteFunction(
  lambda: LambdaClient,
  functionName: string,
): Promise<'deleted' | 'absent'> {
  try {
    await lambda.send(new DeleteFunctionCommand({ FunctionName: functionName }));
    return 'deleted';
  } catch (error) {
    if (notFound(error)) return 'absent';
    throw error;
  }
}

/** The topic's ARN: the one the function was deployed with when the names match, else looked up; `undefined` when there is none. */
async function topicArnOf(
  sns: SNSClient,
  topicName: string,
  fn: CurrentFunction,
): Promise<string | undefined> {
  const deployed = fn?.Configuration?.Environment?.Variables?.SNS_TOPIC_ARN;
  if (deployed?.split(':').at(-1) === topicName) return deployed;
  try {
    return await resolveTopicArn(sns, topicName);
  } catch (error) {
    // resolveTopicArn's "does not exist" is the one answer without an SNS error code; access denied,
    // throttling and network errors are not "gone".
    if (isOpenSkyStreamError(error) && error.cause === undefined && error.details.code === undefined)
      return undefined;
    throw error;
  }
}

/**
 * Remove a pipeline's function (with its event source mappings), its SNS
 * topic and its topic's statement in the shared role. Never fails on what is
 * already gone.
 */
export async function destroyPipelineResources(options: DestroyOptions = {}): Promise<DestroyResult> {
  const o = resolveDestroyOptions(options);
  const logger: Logger = o.logger ?? silentLogger;
  const lambda = o.lambda ?? new LambdaClient({});
  const sns = o.sns ?? new SNSClient({});

  const fn = await currentFunction(lambda, o.functionName);
  const topicArn = await topicArnOf(sns, o.topicName, fn);
  const eventSourceMappings = fn ? await deleteEventSourceMappings(lambda, o.functionName) : [];
  const functionOutcome = fn ? await deleteFunction(lambda, o.functionName) : 'absent';
  logger.info(`function ${functionOutcome}`, { functionName: o.functionName, eventSourceMappings });

  let topic: DestroyResult['topic'] = 'absent';
  if (topicArn) {
    // DeleteTopic of a topic that does not exist is not an error (AWS documents it so).
    await sns.send(new DeleteTopicCommand({ TopicArn: topicArn }));
    topic = 'deleted';
    logger.info('topic deleted', { topicArn });
  }

  // The shared role, unless the function ran under a role of the user's (--role-arn): theirs to keep.
  const role = fn?.Configuration?.Role;
  let roleOutcome: DestroyResult['role'] = topicArn ? 'not-managed' : 'untouched';
  if (topicArn && (role === undefined || managedRoleName(role))) {
    roleOutcome = await releaseRole(o.iam ?? new IAMClient({}), topicArn);
    logger.info(`role ${roleOutcome}`, { topicArn });
  }
  return {
    functionName: o.functionName,
    function: functionOutcome,
    eventSourceMappings,
    topicArn,
    topic,
    role: roleOutcome,
  };
}
