/**
 * The source tree's shape: no import cycles (type imports included: they tie
 * modules together for readers too), and src/ never reaches into scripts/,
 * bench/ or test/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const src = join(root, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative module specifiers of static and dynamic imports and re-exports. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = [
    ...text.matchAll(/(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]/g),
    ...text.matchAll(/import\s*\(\s*['"](\.[^'"]+)['"]\s*\)/g),
    ...text.matchAll(/^import\s+['"](\.[^'"]+)['"]/gm),
  ];
  return found.map((m) => resolve(dirname(file), m[1]!));
}

describe('source structure', () => {
  const files = sourceFiles(src);
  const graph = new Map(files.map((file) => [file, importsOf(file)]));

  it('reads the whole tree', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(graph.get(join(src, 'index.ts'))!.length).toBeGreaterThan(10);
  });

  it('has no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      stack.push(file);
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'open') {
          cycles.push([...stack.slice(stack.indexOf(next)), next].map((f) => relative(src, f)).join(' → '));
        } else if (!state.has(next) && graph.has(next)) {
          visit(next);
        }
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  it('never imports scripts/, bench/ or test/ from src/', () => {
    const outside = [...graph].flatMap(([file, targets]) =>
      targets
        .filter((target) => !target.startsWith(src))
        .map((target) => `${relative(root, file)} → ${relative(root, target)}`),
    );
    expect(outside).toEqual([]);
  });
});
