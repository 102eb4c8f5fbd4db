import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { DeleteFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leakingAncestor } from '../../src/stack/endpoint/code-dir.ts';
import { packageRoot } from '../../src/util/package-root.ts';
import { awsClientConfig, uniqueName } from '../support/env.ts';
import { type BundleOptions, deployTestFunction, handlerOf, invokeJson } from '../support/lambda-fixtures.ts';
import { type OwnEndpoint, startOwnEndpoint } from '../support/own-endpoint.ts';

// What the function can tell about how it was loaded: CommonJS or ES module, where it was
// unpacked, and whether it can import a package it did not bring (this project's kafkajs:
// it must not, as on AWS, where nothing above /var/task holds one).
const reportHandler = `
export const handler = async () => {
  let projectDependency = 'found';
  try {
    await import(['kafka', 'js'].join(''));
  } catch (error) {
    projectDependency = (error as { code?: string }).code ?? String(error);
  }
  return {
    module: typeof module === 'object' && module !== null ? 'commonjs' : 'module',
    handler: process.env._HANDLER,
    taskRoot: process.env.LAMBDA_TASK_ROOT,
    cwd: process.cwd(),
    projectDependency,
  };
};`;

interface Report {
  module: 'commonjs' | 'module';
  handler: string;
  taskRoot: string;
  cwd: string;
  projectDependency: string;
}

/** The deployment packages Node functions come in, and how Node must load each (as on AWS). */
const layouts: Array<{ name: string; bundle: BundleOptions; module: Report['module'] }> = [
  { name: 'CommonJS index.js (esbuild, SAM)', bundle: { format: 'cjs' }, module: 'commonjs' },
  { name: 'ES module index.mjs', bundle: { format: 'esm' }, module: 'module' },
  { name: 'CommonJS index.cjs', bundle: { format: 'cjs', entry: 'index.cjs' }, module: 'commonjs' },
  {
    name: 'handler in a subfolder (src/handler.handler)',
    bundle: { format: 'cjs', entry: 'src/handler.js' },
    module: 'commonjs',
  },
  {
    name: 'index.js with its own package.json "type": "module"',
    bundle: { format: 'esm', entry: 'index.js', files: { 'package.json': '{ "type": "module" }\n' } },
    module: 'module',
  },
];

function expectRanAsOnAws(report: Report, layout: (typeof layouts)[number]): void {
  expect(report.module).toBe(layout.module);
  expect(report.handler).toBe(handlerOf(layout.bundle));
  expect(report.cwd).toBe(report.taskRoot);
  // Nothing above the code decides its module type or lends it dependencies.
  expect(leakingAncestor(dirname(report.taskRoot))).toBeUndefined();
  expect(report.projectDependency).toBe('ERR_MODULE_NOT_FOUND');
}

describe.each(['aws-lambda-ric', 'builtin'] as const)(
  'Lambda runtime client %s: code runs as unpacked in /var/task',
  (client) => {
    const codeDir = mkdtempSync(join(tmpdir(), 'oss-lambda-code-'));
    let endpoint: OwnEndpoint;

    beforeAll(async () => {
      endpoint = await startOwnEndpoint({ LAMBDA_RUNTIME_CLIENT: client, ROUTER_CODE_DIR: codeDir });
      const health = (await (await fetch(`${endpoint.url}/_stack/health`)).json()) as {
        runtimeClient: string;
      };
      // aws-lambda-ric is AWS's client; `stack:up` builds it. Without it this endpoint would run the built-in one.
      expect(
        health.runtimeClient,
        `the endpoint runs ${health.runtimeClient}: is aws-lambda-ric built?`,
      ).toBe(client);
    });
    afterAll(async () => {
      await endpoint?.dispose();
      rmSync(codeDir, { recursive: true, force: true });
    });

    it.each(layouts)('$name', async (layout) => {
      const fn = await deployTestFunction(uniqueName('runtime-layout'), reportHandler, {
        endpoint: endpoint.url,
        bundle: layout.bundle,
      });
      try {
        const { output, result } = await fn.invoke({});
        expect(output.FunctionError, JSON.stringify(result)).toBeUndefined();
        const report = result as Report;
        expectRanAsOnAws(report, layout);
        expect(report.taskRoot.startsWith(join(codeDir, fn.name) + sep)).toBe(true);
      } finally {
        await fn.dispose();
      }
      // DeleteFunction removes the function's code: right after the endpoint answered it,
      // before it serves its next request (this one).
      await fetch(`${endpoint.url}/_stack/health`);
      expect(existsSync(join(codeDir, fn.name))).toBe(false);
    });
  },
);

describe('Lambda runtime: where the stack unpacks code', () => {
  it("runs a CommonJS index.js on the shared stack, unpacked outside this project's package", async () => {
    const layout = layouts[0]!;
    const fn = await deployTestFunction(uniqueName('runtime-stack'), reportHandler, {
      bundle: layout.bundle,
    });
    try {
      const { output, result } = await fn.invoke({});
      expect(output.FunctionError, JSON.stringify(result)).toBeUndefined();
      const report = result as Report;
      expectRanAsOnAws(report, layout);
      expect(report.taskRoot.startsWith(packageRoot() + sep)).toBe(false);
    } finally {
      await fn.dispose();
    }
  });

  it('keeps deployed functions and their code across a restart of the endpoint, and prunes the code of unknown ones', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'oss-lambda-run-'));
    const codeDir = mkdtempSync(join(tmpdir(), 'oss-lambda-code-'));
    const env = { ROUTER_CODE_DIR: codeDir };
    let endpoint = await startOwnEndpoint(env, { runDir });
    const name = uniqueName('runtime-restart');
    try {
      const fn = await deployTestFunction(name, reportHandler, {
        endpoint: endpoint.url,
        bundle: { format: 'cjs' },
      });
      expect((await fn.invoke({})).output.FunctionError).toBeUndefined();
      // Left behind by a function deleted while the endpoint was down.
      mkdirSync(join(codeDir, 'deleted-meanwhile', 'abc'), { recursive: true });
      await endpoint.dispose();

      endpoint = await startOwnEndpoint(env, { runDir });
      const lambda = new LambdaClient({ ...awsClientConfig(), endpoint: endpoint.url });
      const { output, result } = await invokeJson(lambda, name);
      expect(output.FunctionError, JSON.stringify(result)).toBeUndefined();
      expectRanAsOnAws(result as Report, layouts[0]!);
      expect(existsSync(join(codeDir, 'deleted-meanwhile'))).toBe(false);
      expect(existsSync(join(codeDir, name))).toBe(true);
    } finally {
      await endpoint.dispose();
      // The control plane is the stack's moto, whichever endpoint created the function.
      await new LambdaClient(awsClientConfig())
        .send(new DeleteFunctionCommand({ FunctionName: name }))
        .catch(() => undefined);
      rmSync(runDir, { recursive: true, force: true });
      rmSync(codeDir, { recursive: true, force: true });
    }
  });
});
