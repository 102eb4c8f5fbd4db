import { describe, expect, it } from 'vitest';
import { functionPolicy, mergeFunctionPolicy } from '../../src/deploy/index.ts';

const A = 'arn:aws:sns:us-east-1:123456789012:FlightNotifications';
const B = 'arn:aws:sns:us-east-1:123456789012:OtherPipeline';

const publishResources = (policy: { Statement: Array<{ Action: unknown; Resource: unknown }> }) =>
  policy.Statement.filter((s) => JSON.stringify(s.Action).includes('sns:Publish')).flatMap((s) =>
    [s.Resource].flat(),
  );

describe('Function: mergeFunctionPolicy', () => {
  it('adds a topic to what the role may already publish to, instead of replacing it', () => {
    const merged = mergeFunctionPolicy(JSON.stringify(functionPolicy(A)), B);
    expect(publishResources(merged).sort()).toEqual([A, B]);
  });

  it('is idempotent and keeps one copy of the metric and log permissions', () => {
    const once = mergeFunctionPolicy(undefined, A);
    const twice = mergeFunctionPolicy(JSON.stringify(mergeFunctionPolicy(JSON.stringify(once), A)), A);
    expect(twice).toEqual(once);
    expect(once).toEqual(functionPolicy(A));
  });

  it('reads the URL-encoded document IAM returns, and statements listing several topics', () => {
    const existing = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'sns:Publish', Resource: [A, B] },
        { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: 'arn:aws:sqs:us-east-1:123456789012:q' },
      ],
    };
    const C = `${A}-2`;
    const merged = mergeFunctionPolicy(encodeURIComponent(JSON.stringify(existing)), C);
    expect(publishResources(merged).sort()).toEqual([A, B, C].sort());
    // A statement someone else added to the policy is kept.
    expect(merged.Statement).toContainEqual(existing.Statement[1]);
  });

  it('starts afresh from a document it cannot read', () => {
    expect(mergeFunctionPolicy('not a policy', A)).toEqual(functionPolicy(A));
  });
});

describe('Function: functionPolicy / mergeFunctionPolicy — one sns:Publish statement', () => {
  const publishStatements = (policy: { Statement: Array<{ Action: unknown }> }) =>
    policy.Statement.filter((s) => JSON.stringify(s.Action).includes('sns:Publish'));

  it('lists every topic in one statement, however many pipelines share the role', () => {
    let document: string | undefined;
    const topics = Array.from({ length: 14 }, (_, i) => `${A}-${i}`);
    for (const topic of topics) document = JSON.stringify(mergeFunctionPolicy(document, topic));
    const policy = JSON.parse(document!) as { Statement: Array<{ Action: unknown; Resource: unknown }> };
    expect(publishStatements(policy)).toHaveLength(1);
    expect(publishStatements(policy)[0]).toMatchObject({ Resource: [...topics].sort() });
  });

  it('folds the per-topic statements of older deploys into the one statement', () => {
    const older = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['sns:Publish'], Resource: A },
        { Effect: 'Allow', Action: ['sns:Publish'], Resource: B },
      ],
    };
    const merged = mergeFunctionPolicy(JSON.stringify(older), A);
    expect(publishStatements(merged)).toEqual([
      { Sid: 'PublishToPipelineTopics', Effect: 'Allow', Action: ['sns:Publish'], Resource: [A, B] },
    ]);
  });

  it('takes a topic out (destroy) and drops the statement with the last one', () => {
    const both = JSON.stringify(functionPolicy([A, B]));
    expect(publishResources(mergeFunctionPolicy(both, [], [A]))).toEqual([B]);
    const none = mergeFunctionPolicy(JSON.stringify(functionPolicy(A)), [], [A]);
    expect(publishStatements(none)).toEqual([]);
    expect(none.Statement.length).toBe(2);
  });
});
