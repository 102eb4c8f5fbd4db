/**
 * The function's execution role `opensky-stream-lambda`, shared by every
 * pipeline deployed without `--role-arn`: created on first deploy, each
 * pipeline's topic added to its one `sns:Publish` statement, and taken away
 * again by destroy, which deletes the role once no topic is left in it.
 *
 * @module
 */
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  type IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { LAMBDA_TRUST_POLICY, mergeFunctionPolicy, publishableTopics } from './policy.ts';

/** The role deploy creates when no `roleArn` is given. */
export const ROLE_NAME = 'opensky-stream-lambda';
/** Its inline policy. */
export const POLICY_NAME = 'opensky-stream-publish';

const errorName = (error: unknown) => (error as { name?: string }).name ?? '';
/** IAM's "does not exist" (the SDK's class name, or the query protocol's code). */
export const isNoSuchEntity = (error: unknown) =>
  ['NoSuchEntityException', 'NoSuchEntity'].includes(errorName(error));

/** The role's name when `roleArn` is the role deploy manages, else `undefined` (a role of the user's: left alone). */
export function managedRoleName(roleArn: string | undefined): string | undefined {
  return roleArn?.endsWith(`:role/${ROLE_NAME}`) ? ROLE_NAME : undefined;
}

async function currentPolicy(iam: IAMClient): Promise<string | undefined> {
  try {
    return (await iam.send(new GetRolePolicyCommand({ RoleName: ROLE_NAME, PolicyName: POLICY_NAME })))
      .PolicyDocument;
  } catch (error) {
    if (isNoSuchEntity(error)) return undefined;
    throw error;
  }
}

/** Create the role if missing and add `topicArn` to the topics it may publish to; its ARN. */
export async function ensureRole(iam: IAMClient, topicArn: string): Promise<string> {
  let arn: string;
  try {
    arn = (await iam.send(new GetRoleCommand({ RoleName: ROLE_NAME }))).Role!.Arn!;
  } catch (error) {
    if (!isNoSuchEntity(error)) throw error;
    arn = (
      await iam.send(
        new CreateRoleCommand({
          RoleName: ROLE_NAME,
          AssumeRolePolicyDocument: JSON.stringify(LAMBDA_TRUST_POLICY),
          Description: 'opensky-stream processing function',
        }),
      )
    ).Role!.Arn!;
  }
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: ROLE_NAME,
      PolicyName: POLICY_NAME,
      PolicyDocument: JSON.stringify(mergeFunctionPolicy(await currentPolicy(iam), topicArn)),
    }),
  );
  return arn;
}

/** What `releaseRole` did. */
export type RoleRelease = 'topic-removed' | 'deleted' | 'kept' | 'absent';

/**
 * Take `topicArn` out of the role's policy. When no topic is left, no other
 * pipeline uses the role: its policy and the role itself are deleted. A role
 * that other policies still hold (someone attached their own) is kept.
 */
export async function releaseRole(iam: IAMClient, topicArn: string): Promise<RoleRelease> {
  const existing = await currentPolicy(iam);
  if (existing === undefined) {
    try {
      await iam.send(new GetRoleCommand({ RoleName: ROLE_NAME }));
    } catch (error) {
      if (isNoSuchEntity(error)) return 'absent';
      throw error;
    }
  }
  const remaining = publishableTopics(existing).filter((topic) => topic !== topicArn);
  if (remaining.length > 0) {
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: ROLE_NAME,
        PolicyName: POLICY_NAME,
        PolicyDocument: JSON.stringify(mergeFunctionPolicy(existing, [], [topicArn])),
      }),
    );
    return 'topic-removed';
  }
  try {
    if (existing !== undefined)
      await iam.send(new DeleteRolePolicyCommand({ RoleName: ROLE_NAME, PolicyName: POLICY_NAME }));
    await iam.send(new DeleteRoleCommand({ RoleName: ROLE_NAME }));
    return 'deleted';
  } catch (error) {
    if (isNoSuchEntity(error)) return 'absent';
    // DeleteConflict: other policies are attached to it; they are not ours to remove.
    if (errorName(error).startsWith('DeleteConflict')) return 'kept';
    throw error;
  }
}
