/**
 * The package as users get it (`npm run check:package`, run by .ci/run after
 * the build): `npm pack`, install the tarball into an empty project, then use
 * it from there: the CLI through `npx` (on this project's Node 24, the first
 * `node` on PATH, as a user's shell would), the `stack` commands, the Node
 * programs the stack spawns (dist/stack/router.js and runtime.js), and the root
 * entry through both `import` and `require`.
 *
 * Needs the build (dist/) and the npm registry for the tarball's dependencies;
 * nothing else from the network. `OPENSKY_STREAM_KEEP_CHECK=1` keeps the
 * temporary project.
 */
import { type SpawnOptions, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], options: SpawnOptions & { timeoutMs?: number } = {}) {
  return new Promise<Result>((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A TCP port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

class CheckFailed extends Error {}

/** What the program wrote on stderr, without npm's own notices (npx's config warnings). */
const ownStderr = (result: Result) =>
  result.stderr
    .split('\n')
    .filter((line) => line !== '' && !/^npm (warn|notice)/.test(line))
    .join('\n');

function expectThat(ok: boolean, what: string, result?: Result): void {
  if (ok) return;
  const output = result
    ? `\n  exit ${result.code}\n--- stdout ---\n${result.stdout}--- stderr ---\n${result.stderr}`
    : '';
  throw new CheckFailed(`${what}${output}`);
}

let step = 0;
const ok = (what: string) => process.stdout.write(`  ✓ ${++step}. ${what}\n`);

async function main(): Promise<number> {
  for (const file of ['dist/index.js', 'dist/index.cjs', 'dist/cli.js', 'dist/stack/router.js']) {
    if (!existsSync(join(repoRoot, file))) {
      console.error(`check-package: ${file} is missing; run \`npm run build\` first`);
      return 1;
    }
  }
  // This project's Node 24 (the `node` devDependency), first on PATH as `node`: npx runs the
  // bin through its `#!/usr/bin/env node` line, and the machine's own node may be older.
  const nodeBinary = realpathSync(join(repoRoot, 'node_modules', '.bin', 'node'));
  const work = mkdtempSync(join(tmpdir(), 'oss-check-package-'));
  const binDir = join(work, 'bin');
  mkdirSync(binDir);
  symlinkSync(nodeBinary, join(binDir, 'node'));
  const project = join(work, 'project');
  mkdirSync(project);
  const stateHome = join(work, 'state');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${binDir}:${process.env.PATH ?? ''}`,
    // The installed package's default run dir, away from the user's real one.
    XDG_STATE_HOME: stateHome,
    // Ports nobody listens on: a stack running on this machine must not answer `status`.
    KAFKA_PORT: String(await freePort()),
    KAFKA_CONTROLLER_PORT: String(await freePort()),
    AWS_PORT: String(await freePort()),
    MOTO_PORT: String(await freePort()),
    OPENSKY_STREAM_RUN_DIR: '',
    KAFKA_BROKERS: '',
    AWS_ENDPOINT_URL: '',
    npm_config_update_notifier: 'false',
  };
  try {
    process.stdout.write(
      `check-package: ${work} (Node ${process.versions.node} runs this; the project uses ${nodeBinary})\n`,
    );

    const packed = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: repoRoot, env });
    expectThat(packed.code === 0, 'npm pack', packed);
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as {
      filename: string;
      files: { path: string }[];
    }[];
    const tarball = join(work, info!.filename);
    const shipped = new Set(info!.files.map((file) => file.path));
    for (const file of [
      'bin/opensky-stream.js',
      'dist/index.js',
      'dist/index.cjs',
      'dist/index.d.ts',
      'dist/deploy.js',
      'dist/deploy.cjs',
      'dist/deploy.d.ts',
      'dist/sns.js',
      'dist/sns.cjs',
      'dist/sns.d.ts',
      'dist/cli.js',
      'dist/stack/router.js',
      'dist/stack/runtime.js',
      'dist/stack/esm-worker.js',
      'dist/lambda/index.mjs',
      'src/stack/kafka/pom.xml',
      'src/stack/kafka/log4j2.properties',
    ]) {
      expectThat(shipped.has(file), `the tarball holds ${file}`);
    }
    expectThat(
      ![...shipped].some((file) => file.startsWith('src/') && file.endsWith('.ts')),
      'the tarball ships no TypeScript sources (src/ is for the Kafka resources only)',
    );
    ok(`npm pack: ${info!.filename}, ${shipped.size} files, the stack's programs and resources included`);

    writeFileSync(
      join(project, 'package.json'),
      `${JSON.stringify({ name: 'check-opensky-stream', version: '1.0.0', private: true }, null, 2)}\n`,
    );
    const installed = await run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', tarball], {
      cwd: project,
      env,
      timeoutMs: 600_000,
    });
    expectThat(installed.code === 0, 'npm install <tarball> into an empty project', installed);
    ok('npm install <tarball> into an empty project');

    // npm_config_yes=false: npx runs the installed bin, never a download.
    const npx = (args: string[]) =>
      run('npx', ['opensky-stream', ...args], { cwd: project, env: { ...env, npm_config_yes: 'false' } });
    const version = await run('node', ['--version'], { cwd: project, env });
    expectThat(version.stdout.startsWith('v24.'), `node on PATH is Node 24 (got ${version.stdout.trim()})`);

    const help = await npx(['--help']);
    expectThat(
      help.code === 0 && /opensky-stream stack/.test(help.stdout),
      'npx opensky-stream --help',
      help,
    );
    ok('npx opensky-stream --help: exit 0, lists `stack`');

    const stackHelp = await npx(['stack', '--help']);
    expectThat(
      stackHelp.code === 0 &&
        ['up', 'down', 'status', 'logs'].every((c) => stackHelp.stdout.includes(`stack ${c}`)),
      'npx opensky-stream stack --help',
      stackHelp,
    );
    ok('npx opensky-stream stack --help: exit 0, up/down/status/logs');

    const status = await npx(['stack', 'status']);
    const runDir = join(stateHome, 'opensky-stream');
    expectThat(
      status.code === 3 &&
        /stack: not running/.test(status.stdout) &&
        status.stdout.includes(join(runDir, 'kafka.log')) &&
        ownStderr(status) === '',
      `npx opensky-stream stack status with nothing running: exit 3, "stack: not running", logs in ${runDir}`,
      status,
    );
    ok(`npx opensky-stream stack status: exit 3, "stack: not running", run dir ${runDir}`);

    const unknown = await npx(['nope']);
    expectThat(
      unknown.code === 2 && /Unknown command 'nope'/.test(unknown.stderr),
      'npx opensky-stream nope',
      unknown,
    );
    ok('npx opensky-stream nope: exit 2, "Unknown command"');

    // The programs `stack up` spawns, from the installed package: the AWS endpoint answers its
    // health check (nothing behind it needed), the runtime client loads and says where it runs.
    const pkg = join(project, 'node_modules', 'opensky-stream');
    const routerPort = await freePort();
    const routerRunDir = join(work, 'router-run');
    const router = spawn('node', [join(pkg, 'dist', 'stack', 'router.js')], {
      cwd: project,
      env: { ...env, ROUTER_PORT: String(routerPort), ROUTER_RUN_DIR: routerRunDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let routerOutput = '';
    router.stdout.on('data', (chunk) => {
      routerOutput += chunk;
    });
    router.stderr.on('data', (chunk) => {
      routerOutput += chunk;
    });
    try {
      let health: { status?: string } | undefined;
      for (let i = 0; i < 100 && health?.status !== 'ok' && router.exitCode === null; i++) {
        await new Promise((r) => setTimeout(r, 100));
        health = await fetch(`http://127.0.0.1:${routerPort}/_stack/health`)
          .then((r) => r.json() as Promise<{ status?: string }>)
          .catch(() => undefined);
      }
      expectThat(health?.status === 'ok', `dist/stack/router.js answers /_stack/health\n${routerOutput}`);
    } finally {
      router.kill('SIGTERM');
    }
    ok('dist/stack/router.js starts and answers /_stack/health');

    const runtime = await run('node', [join(pkg, 'dist', 'stack', 'runtime.js')], {
      cwd: project,
      env: { ...env, AWS_LAMBDA_RUNTIME_API: '' },
    });
    expectThat(
      runtime.code === 1 && /runs inside the Lambda Runtime Interface Emulator/.test(runtime.stderr),
      'dist/stack/runtime.js loads (and refuses to run outside RIE)',
      runtime,
    );
    ok('dist/stack/runtime.js loads');

    // Every entry, with import and require: the names a user's code needs from each.
    const entries: Array<[string, string[]]> = [
      [
        'opensky-stream',
        [
          'createPipeline',
          'OpenSkySource',
          'KafkaSink',
          'LambdaInvoker',
          'SnsPublisher',
          'transformStateVector',
        ],
      ],
      ['opensky-stream/lambda', ['createFlightHandler', 'tryTransformStateVector', 'decodeKafkaRecord']],
      ['opensky-stream/testing', ['startLocalStack', 'localStackStatus', 'buildKafkaEvent']],
      ['opensky-stream/deploy', ['deployPipelineResources', 'zipPackage', 'lambdaPackage']],
      ['opensky-stream/sns', ['isValidTopicName', 'isValidAttributeName']],
      ['opensky-stream/metrics', ['servePipelineMetrics']],
    ];
    for (const [entry, names] of entries) {
      const probe = (exports: string) =>
        `for (const name of ${JSON.stringify(names)}) ` +
        `if (typeof ${exports}[name] !== 'function') { console.error('missing export ' + name); process.exit(1); } ` +
        `console.log('ok');`;
      const esm = await run(
        'node',
        ['--input-type=module', '-e', `import * as m from '${entry}'; ${probe('m')}`],
        { cwd: project, env },
      );
      expectThat(esm.code === 0 && esm.stdout.trim() === 'ok' && esm.stderr === '', `import '${entry}'`, esm);
      ok(`import * from '${entry}' (ESM): exports present, nothing on stderr`);
      const cjs = await run('node', ['-e', `const m = require('${entry}'); ${probe('m')}`], {
        cwd: project,
        env,
      });
      expectThat(
        cjs.code === 0 && cjs.stdout.trim() === 'ok' && cjs.stderr === '',
        `require('${entry}')`,
        cjs,
      );
      ok(`require('${entry}') (CommonJS): exports present, nothing on stderr`);
    }

    process.stdout.write('check-package: the package works as installed\n');
    return 0;
  } catch (error) {
    if (!(error instanceof CheckFailed)) throw error;
    console.error(`check-package: FAILED: ${error.message}`);
    return 1;
  } finally {
    if (process.env.OPENSKY_STREAM_KEEP_CHECK === '1') process.stdout.write(`kept ${work}\n`);
    else rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
