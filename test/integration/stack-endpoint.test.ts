import { request } from 'node:http';
import { CreateRoleCommand, DeleteRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateTopicCommand, DeleteTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { awsClientConfig, awsEndpoint, uniqueName } from '../support/env.ts';

/** A raw HTTP request to the local endpoint, with headers an SDK would never send. */
function rawRequest(
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<{ status: number; body: string }> {
  const url = new URL(awsEndpoint());
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path,
        headers: { 'content-length': String(Buffer.byteLength(body)), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const snsScope =
  'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=0';

describe('stack: the AWS endpoint is one account, whatever serves each service', () => {
  it('gives SNS, SQS and IAM ARNs the same account, and SNS/SQS come from the fast data plane', async () => {
    const sns = new SNSClient(awsClientConfig());
    const sqs = new SQSClient(awsClientConfig());
    const iam = new IAMClient(awsClientConfig());
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: uniqueName('acct-topic') }))).TopicArn!;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('acct-queue') }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const roleName = uniqueName('acct-role');
    const role = await iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    try {
      const account = (arn: string) => arn.split(':')[4];
      expect(account(topicArn)).toBe('000000000000');
      expect(account(Attributes!.QueueArn!)).toBe('000000000000');
      expect(account(role.Role!.Arn!)).toBe('000000000000');
      // The queue URL points at the endpoint the client used, not at a backend's own port.
      expect(QueueUrl).toBe(`${awsEndpoint()}/000000000000/${Attributes!.QueueArn!.split(':')[5]}`);
      const health = (await (await fetch(`${awsEndpoint()}/_stack/health`)).json()) as { messaging: string };
      expect(health.messaging).toBe('fauxqs');
    } finally {
      await sns.send(new DeleteTopicCommand({ TopicArn: topicArn }));
      await sqs.send(new DeleteQueueCommand({ QueueUrl }));
      await iam.send(new DeleteRoleCommand({ RoleName: roleName }));
    }
  });
});

describe('stack: the AWS endpoint refuses what a web page could send', () => {
  const listTopics = 'Action=ListTopics&Version=2010-03-31';
  const form = { 'content-type': 'application/x-www-form-urlencoded', authorization: snsScope };

  it('answers an SDK-like request from loopback', async () => {
    const answer = await rawRequest('/', form, listTopics);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('ListTopicsResponse');
  });

  it('refuses a Host that is not loopback (DNS rebinding)', async () => {
    const answer = await rawRequest('/', { ...form, host: 'attacker.example:4566' }, listTopics);
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('not a loopback address');
  });

  it('refuses a browser request from another origin, and an opaque one', async () => {
    for (const origin of ['https://attacker.example', 'http://localhost:8080', 'null']) {
      const answer = await rawRequest('/', { ...form, origin }, listTopics);
      expect(answer.status, origin).toBe(403);
    }
  });

  it('refuses a form post to the Lambda API (CreateFunction, Invoke) even without an Origin', async () => {
    for (const path of ['/2015-03-31/functions', '/2015-03-31/functions/any/invocations']) {
      const answer = await rawRequest(path, { 'content-type': 'text/plain' }, '{}');
      expect(answer.status, path).toBe(403);
      expect(answer.body).toContain('is not accepted by the Lambda API');
    }
  });
});
