// `npm run build` step: bundle the Lambda template into dist/lambda/index.mjs.
import { statSync } from 'node:fs';
import { writeLambdaBundle } from '../src/deploy/bundle.ts';

const out = await writeLambdaBundle();
console.log(`Lambda bundle: ${out} (${Math.round(statSync(out).size / 1024)} KiB)`);
