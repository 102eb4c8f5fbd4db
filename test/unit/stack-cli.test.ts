import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRunDir, fromSources, readLastLines, stackConfig, stackFile } from '../../src/stack/lib.ts';
import { runCli } from '../support/cli.ts';
import { freePort } from '../support/metrics-endpoint.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

describe('stack: where its files are', () => {
  it('runs from the sources here: router, runtime client and run dir in the checkout', () => {
    expect(fromSources).toBe(true);
    expect(stackFile('router')).toBe(join(repoRoot, 'src', 'stack', 'endpoint', 'main.ts'));
    expect(stackFile('runtime')).toBe(join(repoRoot, 'src', 'stack', 'endpoint', 'runtime.ts'));
    expect(stackFile('pom.xml')).toBe(join(repoRoot, 'src', 'stack', 'kafka', 'pom.xml'));
    expect(defaultRunDir({})).toBe(join(repoRoot, '.stack'));
    expect(stackConfig({ OPENSKY_STREAM_RUN_DIR: '/tmp/elsewhere' }).runDir).toBe('/tmp/elsewhere');
  });

  it('reads only the end of a log, across read chunks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oss-tail-'));
    try {
      const file = join(dir, 'big.log');
      const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${'x'.repeat(i % 50)}`);
      writeFileSync(file, `${lines.join('\n')}\n`);
      expect(readLastLines(file, 3)).toBe(lines.slice(-3).join('\n'));
      expect(readLastLines(file, 5000)).toBe(lines.slice(-5000).join('\n'));
      expect(readLastLines(file, 0)).toBe('');
      expect(readLastLines(join(dir, 'missing.log'), 3)).toBeUndefined();
      writeFileSync(file, 'no newline at the end');
      expect(readLastLines(file, 3)).toBe('no newline at the end');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CLI: opensky-stream stack, with nothing running', () => {
  let runDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    runDir = mkdtempSync(join(tmpdir(), 'oss-stack-cli-'));
    env = {
      OPENSKY_STREAM_RUN_DIR: runDir,
      KAFKA_PORT: String(await freePort()),
      KAFKA_CONTROLLER_PORT: String(await freePort()),
      AWS_PORT: String(await freePort()),
      MOTO_PORT: String(await freePort()),
    };
  });
  afterAll(() => rmSync(runDir, { recursive: true, force: true }));

  it('status: every service down, says so, exits 3', async () => {
    const result = await runCli(['stack', 'status'], env, 20_000);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/^kafka {3}down /m);
    expect(result.stdout).toMatch(/^aws {5}down /m);
    expect(result.stdout).toMatch(/^lambda {2}down /m);
    expect(result.stdout).toContain(`${env.KAFKA_PORT}`);
    expect(result.stdout).toContain(join(runDir, 'kafka.log'));
    expect(result.stdout).toMatch(/stack: not running \(`opensky-stream stack up` starts it\)/);
    expect(result.stderr).toBe('');
  }, 30_000);

  it('status --json: machine-readable, same exit code', async () => {
    const result = await runCli(['stack', 'status', '--json'], env, 20_000);
    expect(result.code).toBe(3);
    const status = JSON.parse(result.stdout) as {
      up: boolean;
      runDir: string;
      services: { healthy: boolean }[];
    };
    expect(status.up).toBe(false);
    expect(status.runDir).toBe(runDir);
    expect(status.services.map((s) => s.healthy)).toEqual([false, false, false]);
  }, 30_000);

  it('down: nothing to stop is not an error', async () => {
    const result = await runCli(['stack', 'down'], env, 20_000);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`nothing to stop: no pid files in ${runDir}`);
  }, 30_000);

  it('logs: the end of each log, or of one', async () => {
    writeFileSync(join(runDir, 'kafka.log'), 'k1\nk2\nk3\n');
    writeFileSync(join(runDir, 'lambda.log'), 'l1\nl2\n');
    const all = await runCli(['stack', 'logs', '-n', '2'], env, 10_000);
    expect(all.code).toBe(0);
    expect(all.stdout).toBe(
      `==> ${join(runDir, 'kafka.log')} <==\nk2\nk3\n\n==> ${join(runDir, 'lambda.log')} <==\nl1\nl2\n`,
    );
    const one = await runCli(['stack', 'logs', 'kafka', '--lines', '1'], env, 10_000);
    expect(one.stdout).toBe('k3\n');
    const missing = await runCli(['stack', 'logs', 'aws'], env, 10_000);
    expect(missing.code).toBe(0);
    expect(missing.stderr).toContain(`no log yet: ${join(runDir, 'aws.log')}`);
  }, 30_000);

  it('logs --follow: prints what is appended until SIGINT, then exits 0', async () => {
    writeFileSync(join(runDir, 'aws.log'), 'before\n');
    const bin = fileURLToPath(new URL('../../bin/opensky-stream.js', import.meta.url));
    const child = spawn(process.execPath, [bin, 'stack', 'logs', 'aws', '--follow', '-n', '1'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    const waitFor = async (text: string) => {
      const deadline = Date.now() + 10_000;
      while (!stdout.includes(text) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(stdout).toContain(text);
    };
    await waitFor('before\n');
    appendFileSync(join(runDir, 'aws.log'), 'after ünïcode\n');
    await waitFor('after ünïcode\n');
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stdout).toBe('before\nafter ünïcode\n');
  }, 30_000);
});

describe('stack: Kafka auto-creates topics', () => {
  it('on by default, off with KAFKA_AUTO_CREATE_TOPICS=false, and a bad value is an error', async () => {
    const { autoCreateTopics } = await import('../../src/stack/kafka.ts');
    expect(autoCreateTopics({})).toBe(true);
    expect(autoCreateTopics({ KAFKA_AUTO_CREATE_TOPICS: 'true' })).toBe(true);
    expect(autoCreateTopics({ KAFKA_AUTO_CREATE_TOPICS: 'false' })).toBe(false);
    expect(() => autoCreateTopics({ KAFKA_AUTO_CREATE_TOPICS: 'maybe' })).toThrow(/true or false/);
  });
});

describe('stack: a stopped service that was not reaped yet', () => {
  it('counts a zombie as gone (its parent may be blocked for the whole test run), a live process as alive', async () => {
    const { isAlive } = await import('../../src/stack/lib.ts');
    const { spawn } = await import('node:child_process');
    // `sleep 0` exits at once, and its parent (sh, turned into `sleep 5` by exec) never waits for it.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 5'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const pid = Number(
        await new Promise<string>((resolve) => parent.stdout!.once('data', (d) => resolve(String(d)))),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(() => process.kill(pid, 0)).not.toThrow(); // signal 0 still reaches the zombie
      expect(isAlive(pid)).toBe(false);
      expect(isAlive(parent.pid!)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
