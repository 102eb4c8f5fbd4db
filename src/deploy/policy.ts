/**
 * The IAM policy documents of the processing function: the trust policy of
 * its role, and the permissions policy shared by every pipeline that uses
 * the role, where the SNS topics it may publish to are listed in ONE
 * `sns:Publish` statement (a statement per topic grew the document toward
 * IAM's 10,240-character limit for a role's inline policies).
 *
 * @module
 */

/** The trust policy that lets Lambda assume the function's role. */
export const LAMBDA_TRUST_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
} as const;

/** One statement of an IAM policy document. */
export interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, unknown>;
}

/** An IAM policy document. */
export interface PolicyDocument {
  Version: string;
  Statement: PolicyStatement[];
}

/** The `Sid` of the statement listing the topics; statements without it (older deploys) are read too. */
export const PUBLISH_STATEMENT_ID = 'PublishToPipelineTopics';

/**
 * The permissions the processing function needs: publish to its topic(s) (one
 * statement listing them all, sorted), its metric, its logs.
 */
export function functionPolicy(topicArns: string | readonly string[]): PolicyDocument {
  const topics = [...new Set([topicArns].flat())].sort();
  return {
    Version: '2012-10-17',
    Statement: [
      ...(topics.length > 0
        ? [{ Sid: PUBLISH_STATEMENT_ID, Effect: 'Allow', Action: ['sns:Publish'], Resource: topics }]
        : []),
      // The published-notifications metric (`opensky-stream count`); scoped to its namespace.
      {
        Effect: 'Allow',
        Action: ['cloudwatch:PutMetricData'],
        Resource: '*',
        Condition: { StringEquals: { 'cloudwatch:namespace': 'OpenSkyStream' } },
      },
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: 'arn:aws:logs:*:*:*',
      },
    ],
  };
}

/** A policy document as IAM returns it (URL-encoded, RFC 3986) or as plain JSON; `undefined` when unreadable. */
export function readPolicy(document: string | undefined): PolicyDocument | undefined {
  if (!document) return undefined;
  for (const text of [document, () => decodeURIComponent(document)]) {
    try {
      const parsed = JSON.parse(typeof text === 'function' ? text() : text) as Partial<PolicyDocument>;
      if (Array.isArray(parsed.Statement)) return parsed as PolicyDocument;
    } catch {
      // try the next form
    }
  }
  return undefined;
}

/** A statement that only allows `sns:Publish`, unconditionally: the topic list (or an older per-topic one). */
const isTopicStatement = (statement: PolicyStatement) =>
  statement.Effect === 'Allow' &&
  [statement.Action].flat().length === 1 &&
  [statement.Action].flat()[0] === 'sns:Publish' &&
  !statement.Condition;

/** The topics the role's current policy lets it publish to. */
export function publishableTopics(existing: string | undefined): string[] {
  const current = readPolicy(existing);
  const topics = (current?.Statement ?? []).filter(isTopicStatement).flatMap((s) => [s.Resource].flat());
  return [...new Set(topics)].sort();
}

/**
 * The role's policy (`existing`, as IAM returns it) with `add` added to and
 * `remove` taken from its topics: every topic other pipelines sharing the role
 * publish to keeps its place. Statements someone else added are kept; an
 * unreadable document is replaced.
 */
export function mergeFunctionPolicy(
  existing: string | undefined,
  add: string | readonly string[],
  remove: readonly string[] = [],
): PolicyDocument {
  const current = readPolicy(existing);
  const topics = new Set([...publishableTopics(existing), ...[add].flat()]);
  for (const topic of remove) topics.delete(topic);
  const wanted = functionPolicy([...topics]);
  const ours = new Set(functionPolicy([]).Statement.map((statement) => JSON.stringify(statement)));
  const kept = (current?.Statement ?? []).filter(
    (statement) => !isTopicStatement(statement) && !ours.has(JSON.stringify(statement)),
  );
  return { ...wanted, Statement: [...wanted.Statement, ...kept] };
}
