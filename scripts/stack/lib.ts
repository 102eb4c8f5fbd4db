/**
 * The stack's code moved to src/stack/ (it ships with the package as
 * `opensky-stream stack`). This re-export keeps older imports working
 * (bench/e2e.ts); new code imports src/stack/lib.ts.
 */
import { packageRoot } from '../../src/deploy/bundle.ts';

export * from '../../src/stack/lib.ts';

/** The checkout's root folder. */
export const repoRoot = packageRoot();
