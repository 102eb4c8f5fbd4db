/**
 * The public AWS endpoint (AWS_PORT, default 4566): a small Node router that
 * serves Lambda Invoke through AWS's own Runtime Interface Emulator (built
 * from the Go module proxy) and passes every other call to moto.
 * See lambda/router.ts for the protocol details.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ensureDir,
  repoRoot,
  runStep,
  type Service,
  type StackConfig,
  spawnService,
  waitUntil,
} from './lib.ts';

/** AWS's Runtime Interface Emulator, by Go pseudo-version (its tags are two-part, so `@v1.30` does not resolve). */
export const rieModule = 'github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie';
export const rieVersion = 'v0.0.0-20261030222936-bef5c4ba774d';

const binDir = (cfg: StackConfig) => join(cfg.cacheDir, `rie-${rieVersion}`);
export const rieBinary = (cfg: StackConfig) => join(binDir(cfg), 'aws-lambda-rie');

async function routerAnswers(cfg: StackConfig): Promise<boolean> {
  try {
    const response = await fetch(`http://${cfg.host}:${cfg.awsPort}/_stack/health`, {
      signal: AbortSignal.timeout(2000),
    });
    return response.status === 200 && ((await response.json()) as { status?: string }).status === 'ok';
  } catch {
    return false;
  }
}

export const lambdaService: Service = {
  name: 'lambda',
  endpoint: (cfg) => `http://${cfg.host}:${cfg.awsPort} (AWS endpoint, Invoke via RIE)`,

  async install(cfg, log) {
    if (existsSync(rieBinary(cfg))) return;
    log(`lambda: building AWS Lambda Runtime Interface Emulator ${rieVersion} from the Go module proxy`);
    ensureDir(binDir(cfg));
    await runStep(cfg, process.env.OPENSKY_STREAM_GO || 'go', ['install', `${rieModule}@${rieVersion}`], {
      env: { ...process.env, GOBIN: binDir(cfg), CGO_ENABLED: '0', GOFLAGS: '-trimpath' },
    });
    writeFileSync(join(binDir(cfg), '.complete'), `${new Date().toISOString()}\n`);
  },

  async start(cfg) {
    const dir = join(repoRoot, 'scripts', 'stack', 'lambda');
    spawnService(cfg, 'lambda', process.execPath, [join(dir, 'router.ts')], {
      env: {
        ...process.env,
        ROUTER_PORT: String(cfg.awsPort),
        ROUTER_HOST: cfg.host,
        MOTO_PORT: String(cfg.motoPort),
        ROUTER_RUN_DIR: cfg.runDir,
        ROUTER_RIE_BIN: rieBinary(cfg),
        ROUTER_RUNTIME: join(dir, 'runtime.ts'),
      },
    });
    await waitUntil('lambda (AWS endpoint)', () => routerAnswers(cfg), {
      timeoutMs: 30_000,
      cfg,
      service: 'lambda',
    });
  },

  healthy: (cfg) => routerAnswers(cfg),
};
