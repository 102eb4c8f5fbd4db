/**
 * `deploy --code`: what becomes the deployment package and its handler, and
 * which code deploy may replace.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { codePackage, defaultHandler, missingHandlerModule } from '../../src/deploy/code.ts';
import { codeReplacementRefusal, existingCode, REFERENCE_DESCRIPTION } from '../../src/deploy/function.ts';
import { resolveDeployOptions } from '../../src/deploy/options.ts';
import { zipPackage } from '../../src/deploy/zip.ts';

const dir = mkdtempSync(join(tmpdir(), 'oss-deploy-code-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Function: codePackage', () => {
  it('zips a directory as it is, its files at the root, and defaults the handler to index.*', () => {
    const project = join(dir, 'project');
    mkdirSync(join(project, 'lib'), { recursive: true });
    writeFileSync(join(project, 'index.js'), 'exports.handler = async () => 1;');
    writeFileSync(join(project, 'lib', 'util.js'), 'module.exports = 1;');
    const code = codePackage(project);
    expect(code.handler).toBe('index.handler');
    expect(Object.keys(unzipSync(code.zip)).sort()).toEqual(['index.js', 'lib/util.js']);
    // The same directory gives the same bytes (so the same CodeSha256: `unchanged`).
    expect(codePackage(project).zip).toEqual(code.zip);
  });

  it('zips one module under its own name, the handler named after it', () => {
    const file = join(dir, 'app.cjs');
    writeFileSync(file, 'exports.handler = async () => 1;');
    const code = codePackage(file);
    expect(code.handler).toBe('app.handler');
    expect(Object.keys(unzipSync(code.zip))).toEqual(['app.cjs']);
  });

  it('takes a zip as it is', () => {
    const file = join(dir, 'fn.zip');
    const zip = zipPackage({ 'index.mjs': 'export const handler = async () => 1;', 'data.json': '{}' });
    writeFileSync(file, zip);
    expect(codePackage(file)).toEqual({ zip, handler: 'index.handler', files: ['data.json', 'index.mjs'] });
  });

  it.each([
    ['a missing path', 'nope', /does not exist/],
    ['a file of another kind', 'notes.txt', /must be a \.zip, a directory, or one \.js, \.mjs or \.cjs file/],
    ['a zip that is not one', 'broken.zip', /is not a readable zip file/],
  ])('refuses %s, naming --code', (_, name, message) => {
    writeFileSync(join(dir, 'notes.txt'), 'hi');
    writeFileSync(join(dir, 'broken.zip'), 'not a zip');
    expect(() => codePackage(join(dir, name))).toThrow(message);
    expect(() => codePackage(join(dir, name))).toThrow(/^--code /);
  });
});

describe('Function: defaultHandler / missingHandlerModule', () => {
  it('prefers index.mjs, then index.js, then index.cjs, else the one module at the root', () => {
    expect(defaultHandler(['index.cjs', 'index.js', 'index.mjs'])).toBe('index.handler');
    expect(defaultHandler(['main.mjs', 'lib/x.js'])).toBe('main.handler');
    expect(defaultHandler(['a.js', 'b.js'])).toBeUndefined();
    expect(defaultHandler(['src/index.js'])).toBeUndefined();
  });

  it('checks that a Node.js handler names a module of the package, subfolders included', () => {
    expect(missingHandlerModule('src/handler.handler', ['src/handler.js'])).toBeUndefined();
    expect(missingHandlerModule('index.handler', ['app.mjs'])).toMatch(
      /names index\.\{mjs,js,cjs\}.*app\.mjs/,
    );
  });
});

describe('Function: codeReplacementRefusal — deploy never replaces code it did not build', () => {
  it.each([
    ['reference', 'reference', false, undefined],
    ['reference', 'custom', false, undefined],
    ['custom', 'custom', false, undefined],
    ['custom', 'reference', false, /runs your code.*Pass --code PATH.*--force/],
    ['foreign', 'custom', false, /was not deployed by opensky-stream.*Check --function-name/],
    ['foreign', 'reference', false, /was not deployed by opensky-stream/],
    ['custom', 'reference', true, undefined],
    ['foreign', 'custom', true, undefined],
  ] as const)('%s code, deploying %s, force %s', (existing, wanted, force, refusal) => {
    const answer = codeReplacementRefusal('fn', existing, wanted, force);
    if (refusal === undefined) expect(answer).toBeUndefined();
    else expect(answer).toMatch(refusal);
  });

  it('reads the tag, and recognises reference functions deployed before the tag by their description', () => {
    expect(existingCode({ 'opensky-stream:code': 'custom' }, REFERENCE_DESCRIPTION)).toBe('custom');
    expect(existingCode({}, REFERENCE_DESCRIPTION)).toBe('reference');
    expect(existingCode(undefined, 'someone else')).toBe('foreign');
  });
});

describe('Function: resolveDeployOptions', () => {
  it('overlays the defaults', () => {
    expect(resolveDeployOptions({ functionName: 'f', timeout: undefined })).toMatchObject({
      functionName: 'f',
      topicName: 'FlightNotifications',
      runtime: 'nodejs22.x',
      timeout: 30,
      memorySize: 256,
      handler: 'index.handler',
      force: false,
    });
  });

  it.each([
    [{ functionName: 'no spaces' }, '/options/functionName'],
    [{ timeout: 0 }, '/options/timeout'],
    [{ timeout: 901 }, '/options/timeout'],
    [{ memorySize: 64 }, '/options/memorySize'],
    [{ handler: 'handler' }, '/options/handler'],
    [{ topicName: 'a b' }, '/options/topicName'],
  ])('%j is refused naming %s', (options, path) => {
    expect(() => resolveDeployOptions(options)).toThrow(path);
  });
});
