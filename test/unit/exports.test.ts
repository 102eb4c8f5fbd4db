import { describe, expect, it } from 'vitest';
import * as lib from '../../src/index.ts';

describe('Package exports', () => {
  // OpenSkySource waits out every 429 (Retry-After, then the next tick) and never ends on one,
  // so an error class for a final 429 would be one nobody can ever catch.
  it('exports no error the library never throws', () => {
    expect(Object.keys(lib)).not.toContain('RateLimitError');
    expect(Object.values(lib.ErrorCodes)).not.toContain('OSS_RATE_LIMITED');
  });
});
