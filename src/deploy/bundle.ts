/**
 * The Lambda function's code: `lambda-template/handler.ts` bundled with its
 * dependencies into one minified ES module, zipped as `index.mjs` (handler
 * `index.handler`). `npm run build` writes the bundle to dist/lambda; in a
 * source checkout it is built fresh from the sources (with esbuild) so a
 * deploy never ships stale code.
 *
 * @module
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import { packageRoot } from '../util/package-root.ts';
import { zipPackage } from './zip.ts';

/** The handler module's name inside the zip, and the handler setting that goes with it. */
export const LAMBDA_ENTRY = 'index.mjs';
export const LAMBDA_HANDLER = 'index.handler';

/**
 * Bundle `entry` (default: the template handler) into one ES module with esbuild.
 * Imports resolve from the entry's folder, then from this package's node_modules.
 */
export async function bundleLambdaSource(
  entry = join(packageRoot(), 'lambda-template', 'handler.ts'),
): Promise<Uint8Array> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new ConfigError(
      'esbuild',
      'is needed to bundle the Lambda from sources (npm install -D esbuild), or use the built package',
    );
  }
  const result = await esbuild.build({
    entryPoints: [resolve(entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
    nodePaths: [join(packageRoot(), 'node_modules')],
    // CommonJS dependencies inside an ES module need a require().
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  return result.outputFiles[0]!.contents;
}

/**
 * The deployment package (a zip) of the reference Lambda: the prebuilt bundle
 * from dist/lambda in an installed package, or a fresh bundle in a checkout.
 */
export async function lambdaPackage(): Promise<Uint8Array> {
  const root = packageRoot();
  const built = join(root, 'dist', 'lambda', LAMBDA_ENTRY);
  const fromSource = existsSync(join(root, 'src', 'handler', 'handler.ts'));
  const code = fromSource ? await bundleLambdaSource() : readFileSync(built);
  return zipPackage({ [LAMBDA_ENTRY]: code });
}

/** Write the bundle to dist/lambda/index.mjs (run by `npm run build`). */
export async function writeLambdaBundle(): Promise<string> {
  const out = join(packageRoot(), 'dist', 'lambda', LAMBDA_ENTRY);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, await bundleLambdaSource());
  return out;
}
