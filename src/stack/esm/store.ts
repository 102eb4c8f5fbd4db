/**
 * The local stack's event source mappings, kept in the run directory
 * (`<runDir>/lambda/event-source-mappings.json`, beside the router's function
 * registry) so that they survive a restart of the endpoint. Each write
 * replaces the file atomically (write, then rename).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StoredMapping } from './shapes.ts';

/** The mappings by UUID, in creation order, persisted on every change. */
export class MappingStore {
  readonly file: string;
  private readonly mappings = new Map<string, StoredMapping>();

  /** `runDir`: the stack's run directory (the router's `ROUTER_RUN_DIR`). */
  constructor(runDir: string) {
    this.file = join(runDir, 'lambda', 'event-source-mappings.json');
  }

  /** Read what a previous run saved; an unreadable file is reported and left as it is (never overwritten silently). */
  load(onError: (error: unknown) => void = () => undefined): void {
    if (!existsSync(this.file)) return;
    try {
      const saved = JSON.parse(readFileSync(this.file, 'utf8')) as StoredMapping[];
      for (const mapping of saved) this.mappings.set(mapping.configuration.UUID, mapping);
    } catch (error) {
      onError(error);
    }
  }

  get(uuid: string): StoredMapping | undefined {
    return this.mappings.get(uuid);
  }

  all(): StoredMapping[] {
    return [...this.mappings.values()];
  }

  /** Insert or replace a mapping, and save. */
  put(mapping: StoredMapping): void {
    this.mappings.set(mapping.configuration.UUID, mapping);
    this.save();
  }

  /** Forget a mapping, and save. */
  delete(uuid: string): boolean {
    const had = this.mappings.delete(uuid);
    if (had) this.save();
    return had;
  }

  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.all(), null, 2));
    renameSync(temporary, this.file);
  }
}
