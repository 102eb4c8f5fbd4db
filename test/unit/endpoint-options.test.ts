import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import {
  defaultRouterOptions,
  resolveRouterOptions,
  routerOptionsFromEnv,
} from '../../src/stack/endpoint/options.ts';

describe('resolveRouterOptions', () => {
  it('overlays defined values on the defaults; the run dir defaults to .stack in the working directory', () => {
    const resolved = resolveRouterOptions({ port: 4999, host: undefined, maxQueue: 3 });
    expect(resolved).toMatchObject({ ...defaultRouterOptions, port: 4999, maxQueue: 3 });
    expect(resolved.runDir).toBe(join(process.cwd(), '.stack'));
    expect(resolved.messagingEntry).toBeUndefined();
  });

  it('names the option that is wrong', () => {
    const wrong = (options: Parameters<typeof resolveRouterOptions>[0], path: string) => {
      expect(() => resolveRouterOptions(options)).toThrow(ConfigError);
      expect(() => resolveRouterOptions(options)).toThrow(path);
    };
    wrong({ port: 70_000 }, '/options/port');
    wrong({ motoPort: 0 }, '/options/motoPort');
    wrong({ maxConcurrency: 0 }, '/options/maxConcurrency');
    wrong({ maxQueue: 1.5 }, '/options/maxQueue');
    wrong({ idleTimeoutMs: 0 }, '/options/idleTimeoutMs');
    wrong({ rieBinary: '' }, '/options/rieBinary');
  });
});

describe('routerOptionsFromEnv: what the launcher sets', () => {
  it('reads every variable, in their units', () => {
    const resolved = routerOptionsFromEnv({
      ROUTER_PORT: '4600',
      ROUTER_HOST: '127.0.0.2',
      MOTO_PORT: '4601',
      ROUTER_RUN_DIR: '/tmp/run',
      ROUTER_CODE_DIR: '/tmp/code',
      ROUTER_RIE_BIN: '/bin/rie',
      ROUTER_RUNTIME: '/ric/index.mjs',
      ROUTER_RUNTIME_CLIENT: 'aws-lambda-ric',
      ROUTER_PYTHON_RUNTIMES: JSON.stringify({
        'python3.12': { dir: '/v', python: '/v/bin/python', version: '3.12.1' },
      }),
      LAMBDA_MAX_CONCURRENCY: '3.7',
      LAMBDA_MAX_QUEUE: '5',
      LAMBDA_IDLE_TIMEOUT_SECONDS: '0.5',
      AWS_REGION: 'eu-west-1',
      MOTO_ACCOUNT_ID: '111111111111',
      ROUTER_MESSAGING_ENTRY: '/fauxqs/dist/app.js',
      ROUTER_MOTO_TOKEN: 'secret',
    });
    expect(resolved).toEqual({
      port: 4600,
      host: '127.0.0.2',
      motoPort: 4601,
      runDir: '/tmp/run',
      codeDir: '/tmp/code',
      rieBinary: '/bin/rie',
      runtimeEntry: '/ric/index.mjs',
      runtimeClient: 'aws-lambda-ric',
      pythonRuntimes: { 'python3.12': { dir: '/v', python: '/v/bin/python', version: '3.12.1' } },
      maxConcurrency: 3,
      maxQueue: 5,
      idleTimeoutMs: 500,
      region: 'eu-west-1',
      accountId: '111111111111',
      messagingEntry: '/fauxqs/dist/app.js',
      motoToken: 'secret',
    });
  });

  it('keeps the defaults for unset and empty variables', () => {
    const resolved = routerOptionsFromEnv({
      ROUTER_RUN_DIR: '/tmp/run',
      ROUTER_MESSAGING_ENTRY: '',
      AWS_REGION: '',
    });
    expect(resolved).toMatchObject({ ...defaultRouterOptions, runDir: '/tmp/run' });
    expect(resolved.messagingEntry).toBeUndefined();
    expect(resolved.motoToken).toBeUndefined();
  });

  it('names the variable when a number is not a positive one', () => {
    expect(() => routerOptionsFromEnv({ LAMBDA_MAX_QUEUE: '-1' })).toThrow(
      "LAMBDA_MAX_QUEUE must be a positive number, got '-1'",
    );
    expect(() => routerOptionsFromEnv({ ROUTER_PORT: 'x' })).toThrow(
      "ROUTER_PORT must be a positive number, got 'x'",
    );
  });
});
