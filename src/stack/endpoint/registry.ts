/**
 * The function registry: what the endpoint needs to run each function's
 * $LATEST (handler, runtime, environment, timeout, memory, unpacked code),
 * recorded from moto's answers to the control plane. It is persisted in the
 * run directory, so a restart of the endpoint keeps deployed functions; code
 * lives outside any package (code-dir.ts).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type CodeRoot, chooseCodeRoot, codeDirOf, pruneCode } from './code-dir.ts';
import type { EndpointLog } from './log.ts';
import { functionArn } from './protocol.ts';

/** What the endpoint needs to run one function version. */
export interface FunctionDef {
  name: string;
  arn: string;
  version: string;
  handler: string;
  runtime: string;
  timeout: number;
  memorySize: number;
  environment: Record<string, string>;
  codeSha256: string;
  codeDir: string;
}

/** Where the registry keeps its state. */
export interface RegistrySettings {
  runDir: string;
  /** Where code is unpacked, if not the default (see {@link chooseCodeRoot}). */
  codeDir?: string;
  region: string;
  accountId: string;
  log: EndpointLog;
}

/** $LATEST of every function, by name, kept in `<runDir>/lambda/registry.json`. */
export class FunctionRegistry {
  /** Where the functions' logs are written (`<name>.log`). */
  readonly functionsDir: string;
  /** Where function code is unpacked: outside any package, as /var/task is. */
  readonly codeRoot: CodeRoot;
  private readonly file: string;
  private readonly defs = new Map<string, FunctionDef>();
  private readonly settings: RegistrySettings;

  constructor(settings: RegistrySettings) {
    this.settings = settings;
    this.functionsDir = join(settings.runDir, 'lambda', 'functions');
    this.file = join(settings.runDir, 'lambda', 'registry.json');
    this.codeRoot = chooseCodeRoot(settings.codeDir, settings.runDir);
  }

  /** Read what the last run saved (functions whose code is gone are left out), and prune orphaned code. */
  load(): void {
    const { log } = this.settings;
    log('function code unpacked under', { ...this.codeRoot });
    if (existsSync(this.file)) {
      try {
        for (const def of JSON.parse(readFileSync(this.file, 'utf8')) as FunctionDef[]) {
          if (existsSync(def.codeDir)) this.defs.set(def.name, { ...def, version: '$LATEST' });
        }
      } catch (error) {
        log('registry unreadable, starting empty', { file: this.file, error: String(error) });
      }
    }
    const pruned = pruneCode(this.codeRoot.dir, new Set(this.defs.keys()));
    if (pruned.length) log('removed the code of functions no longer registered', { names: pruned });
  }

  get(name: string): FunctionDef | undefined {
    return this.defs.get(name);
  }

  has(name: string): boolean {
    return this.defs.has(name);
  }

  names(): string[] {
    return [...this.defs.keys()];
  }

  get size(): number {
    return this.defs.size;
  }

  /** A copy of the functions, safe to iterate while {@link forget} runs. */
  all(): FunctionDef[] {
    return [...this.defs.values()];
  }

  /** Record `def` as its function's $LATEST and save. */
  record(def: FunctionDef): void {
    this.defs.set(def.name, def);
    this.save();
  }

  /** Drop function `name` and its unpacked code; `save` false when more changes follow. */
  forget(name: string, save = true): void {
    this.defs.delete(name);
    if (save) this.save();
    this.removeCode(name);
  }

  /** Write the registry atomically (a crash leaves the previous file, never half of one). */
  save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify([...this.defs.values()], null, 2));
    renameSync(temporary, this.file);
  }

  /** Where code `codeSha256` of function `name` is (or goes) unpacked. */
  codeDirOf(name: string, codeSha256: string): string {
    return codeDirOf(this.codeRoot.dir, name, codeSha256);
  }

  /** A FunctionConfiguration (moto's answer) → what the endpoint runs; `previous` fills what it leaves out. */
  fromConfiguration(conf: Record<string, unknown>, previous?: FunctionDef): FunctionDef {
    const { region, accountId } = this.settings;
    const name = String(conf.FunctionName ?? previous?.name);
    const codeSha256 = String(conf.CodeSha256 ?? previous?.codeSha256 ?? '');
    const environment =
      (conf.Environment as { Variables?: Record<string, string> } | undefined)?.Variables ?? {};
    return {
      name,
      arn: String(conf.FunctionArn ?? previous?.arn ?? functionArn(region, accountId, { name })),
      version: String(conf.Version ?? '$LATEST'),
      handler: String(conf.Handler ?? previous?.handler ?? 'index.handler'),
      runtime: String(conf.Runtime ?? previous?.runtime ?? 'nodejs22.x'),
      timeout: Number(conf.Timeout ?? previous?.timeout ?? 3),
      memorySize: Number(conf.MemorySize ?? previous?.memorySize ?? 128),
      environment,
      codeSha256,
      codeDir: codeSha256 ? this.codeDirOf(name, codeSha256) : (previous?.codeDir ?? ''),
    };
  }

  /** Everything unpacked for function `name` (all its code versions). */
  private removeCode(name: string): void {
    rmSync(join(this.codeRoot.dir, name), { recursive: true, force: true });
    // Unpacked under the run directory by earlier versions of this endpoint.
    rmSync(join(this.functionsDir, name), { recursive: true, force: true });
  }
}
