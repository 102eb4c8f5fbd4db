/**
 * Deployment packages: a Lambda zip built in memory, reproducibly (fixed
 * timestamps, sorted entries), so the same code always has the same
 * CodeSha256 and `deploy` can tell "unchanged" from "updated".
 */
import { createHash } from 'node:crypto';
import { zipSync } from 'fflate';

/** Files of a deployment package: path inside the zip → contents. */
export type PackageFiles = Record<string, string | Uint8Array>;

// 1980-01-01, the earliest date a zip entry can carry.
const FIXED_MTIME = new Date(Date.UTC(1980, 0, 1));

/** Build a zip (deflate level 9) from `files`; identical input gives identical bytes. */
export function zipPackage(files: PackageFiles): Uint8Array {
  const entries: Record<string, [Uint8Array, { mtime: Date; level: 9 }]> = {};
  for (const path of Object.keys(files).sort()) {
    const content = files[path]!;
    entries[path] = [
      typeof content === 'string' ? new TextEncoder().encode(content) : content,
      { mtime: FIXED_MTIME, level: 9 },
    ];
  }
  return zipSync(entries);
}

/** The CodeSha256 that Lambda reports for a package: base64 SHA-256 of the zip. */
export function codeSha256(zip: Uint8Array): string {
  return createHash('sha256').update(zip).digest('base64');
}
