import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withFileLock } from '../../src/stack/lib.ts';

describe('withFileLock: one install at a time in a shared cache', () => {
  const dirs: string[] = [];
  const lockPath = () => {
    const dir = mkdtempSync(join(tmpdir(), 'oss-lock-'));
    dirs.push(dir);
    return join(dir, 'svc.install.lock');
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('runs concurrent holders one after the other, and removes the lock after', async () => {
    const path = lockPath();
    const events: string[] = [];
    const holder = (name: string) =>
      withFileLock(
        path,
        async () => {
          events.push(`${name} in`);
          expect(readFileSync(path, 'utf8')).toBe(String(process.pid));
          await new Promise((resolve) => setTimeout(resolve, 50));
          events.push(`${name} out`);
          return name;
        },
        { pollMs: 10 },
      );
    expect(await Promise.all([holder('a'), holder('b'), holder('c')])).toEqual(['a', 'b', 'c']);
    // Never two inside at once: every "in" is followed by its own "out".
    for (let i = 0; i < events.length; i += 2) {
      expect(events[i]!.split(' ')[0]).toBe(events[i + 1]!.split(' ')[0]);
    }
    expect(existsSync(path)).toBe(false);
  });

  it('takes over a lock whose owner is gone, and releases it when fn throws', async () => {
    const path = lockPath();
    const dead = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    writeFileSync(path, dead);
    await expect(withFileLock(path, async () => 'ran', { pollMs: 10 })).resolves.toBe('ran');
    await expect(
      withFileLock(path, async () => {
        throw new Error('install failed');
      }),
    ).rejects.toThrow('install failed');
    expect(existsSync(path)).toBe(false);
  });

  it('gives up after its timeout while a live owner holds the lock', async () => {
    const path = lockPath();
    writeFileSync(path, String(process.ppid));
    let waitedFor: number | undefined;
    await expect(
      withFileLock(path, async () => 'never', {
        timeoutMs: 100,
        pollMs: 20,
        onWait: (pid) => {
          waitedFor = pid;
        },
      }),
    ).rejects.toThrow(/timed out waiting/);
    expect(waitedFor).toBe(process.ppid);
  });
});
