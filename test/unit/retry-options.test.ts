import { describe, expect, it, vi } from 'vitest';
import { resolveLambdaInvokerOptions } from '../../src/bridge/options.ts';
import { ConfigError } from '../../src/errors.ts';
import { resolveKafkaSinkOptions } from '../../src/kafka/sink-options.ts';
import { silentLogger } from '../../src/logger.ts';
import { resolveOpenSkySourceOptions } from '../../src/opensky/options.ts';
import { resolveSnsPublisherOptions } from '../../src/sns/options.ts';
import {
  type ResolvedRetryOptions,
  type RetryOptions,
  resolveRetry,
  resolveRetryOption,
} from '../../src/util/retry.ts';

const DEFAULTS: ResolvedRetryOptions = { limit: 3, baseMs: 500, maxDelayMs: 10_000 };

/** A logger that keeps its warnings. */
function warningLogger() {
  const warnings: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  return {
    warnings,
    logger: {
      ...silentLogger,
      warn: (message: string, fields?: Record<string, unknown>) => warnings.push({ message, fields }),
    },
  };
}

describe('Function: resolveRetry', () => {
  it('gives a copy of the defaults when the option is not given', () => {
    const resolved = resolveRetry(undefined, DEFAULTS);
    expect(resolved).toEqual(DEFAULTS);
    expect(resolved).not.toBe(DEFAULTS);
  });

  it('reads a number as the limit, the delays staying default', () => {
    expect(resolveRetry(0, DEFAULTS)).toEqual({ ...DEFAULTS, limit: 0 });
    expect(resolveRetry(7, DEFAULTS)).toEqual({ ...DEFAULTS, limit: 7 });
  });

  it('overlays the defined fields of an object on the defaults', () => {
    expect(resolveRetry({ baseMs: 10, maxDelayMs: undefined }, DEFAULTS)).toEqual({
      ...DEFAULTS,
      baseMs: 10,
    });
    expect(resolveRetry({ limit: 1, baseMs: 0, maxDelayMs: 0 }, DEFAULTS)).toEqual({
      limit: 1,
      baseMs: 0,
      maxDelayMs: 0,
    });
  });

  it.each<[unknown, string, RegExp]>([
    [-1, '/options/retry/limit', /must be an integer ≥ 0$/],
    [1.5, '/options/retry/limit', /must be an integer ≥ 0$/],
    [Number.POSITIVE_INFINITY, '/options/retry/limit', /must be an integer ≥ 0$/],
    [Number.NaN, '/options/retry/limit', /must be an integer ≥ 0$/],
    [{ limit: '3' }, '/options/retry/limit', /must be an integer ≥ 0$/],
    [{ baseMs: -1 }, '/options/retry/baseMs', /must be an integer ≥ 0$/],
    [{ baseMs: 20_000 }, '/options/retry/maxDelayMs', /must be an integer ≥ baseMs$/],
    [{ maxDelayMs: 1.5 }, '/options/retry/maxDelayMs', /must be an integer ≥ baseMs$/],
    [{ retries: 3 }, '/options/retry/retries', /is not a retry option \(limit, baseMs, maxDelayMs\)/],
    ['3', '/options/retry', /must be a number \(the retry limit\) or an object/],
    [null, '/options/retry', /must be a number \(the retry limit\) or an object/],
    [[3], '/options/retry', /must be a number \(the retry limit\) or an object/],
  ])('rejects %j at %s', (value, path, message) => {
    const error = (() => {
      try {
        resolveRetry(value as RetryOptions, DEFAULTS);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(new RegExp(`^${path.replaceAll('/', '\\/')} `));
    expect((error as ConfigError).message).toMatch(message);
  });

  it('names the path it is given', () => {
    expect(() => resolveRetry({ baseMs: -1 }, DEFAULTS, '/options/restart')).toThrow(
      '/options/restart/baseMs must be an integer ≥ 0',
    );
  });

  it('reads -1 and Infinity as "until it succeeds" where the primitive allows it', () => {
    const forever = { ...DEFAULTS, limit: Number.POSITIVE_INFINITY };
    expect(resolveRetry(-1, DEFAULTS, '/options/retry', { forever: true })).toEqual(forever);
    expect(resolveRetry({ limit: -1 }, DEFAULTS, '/options/retry', { forever: true })).toEqual(forever);
    expect(resolveRetry(Number.POSITIVE_INFINITY, DEFAULTS, '/options/retry', { forever: true })).toEqual(
      forever,
    );
    expect(resolveRetry(4, DEFAULTS, '/options/retry', { forever: true }).limit).toBe(4);
    expect(() => resolveRetry(-2, DEFAULTS, '/options/retry', { forever: true })).toThrow(
      '/options/retry/limit must be an integer ≥ 0, or Infinity or -1 to retry until it succeeds',
    );
  });

  it('refuses a finite limit where the primitive never gives up, saying why', () => {
    const rules = { forever: { only: 'it never gives up' } };
    const defaults = { ...DEFAULTS, limit: Number.POSITIVE_INFINITY };
    expect(resolveRetry(-1, defaults, '/options/retry', rules).limit).toBe(Number.POSITIVE_INFINITY);
    expect(() => resolveRetry(3, defaults, '/options/retry', rules)).toThrow(
      '/options/retry/limit must be Infinity or -1: it never gives up',
    );
  });

  it('holds baseMs to the primitive’s minimum', () => {
    expect(() => resolveRetry({ baseMs: 0 }, DEFAULTS, '/options/retry', { minBaseMs: 1 })).toThrow(
      '/options/retry/baseMs must be an integer ≥ 1',
    );
  });
});

describe('Function: resolveRetryOption', () => {
  const aliases = { limit: 'maxRetries', baseMs: 'retryBaseMs', maxDelayMs: 'retryMaxDelayMs' } as const;

  it('resolves the new option and warns about nothing', () => {
    const { logger, warnings } = warningLogger();
    expect(resolveRetryOption({ retry: 2 }, { defaults: DEFAULTS, aliases, logger })).toEqual({
      ...DEFAULTS,
      limit: 2,
    });
    expect(warnings).toEqual([]);
  });

  it('maps the deprecated names onto the option, with one warning naming them all', () => {
    // Arrange
    const { logger, warnings } = warningLogger();
    // Act
    const resolved = resolveRetryOption(
      { maxRetries: 1, retryMaxDelayMs: 2000 },
      { defaults: DEFAULTS, aliases, logger },
    );
    // Assert
    expect(resolved).toEqual({ limit: 1, baseMs: 500, maxDelayMs: 2000 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toBe(
      'deprecated options: maxRetries (use retry.limit), retryMaxDelayMs (use retry.maxDelayMs); they will be removed in the next major release',
    );
    expect(warnings[0]!.fields).toEqual({ deprecated: ['maxRetries', 'retryMaxDelayMs'] });
  });

  it('emits a Node DeprecationWarning when there is no logger to warn through', () => {
    const emit = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      expect(resolveRetryOption({ retryBaseMs: 7 }, { defaults: DEFAULTS, aliases }).baseMs).toBe(7);
      expect(emit).toHaveBeenCalledTimes(1);
      expect(emit).toHaveBeenCalledWith(expect.stringContaining('retryBaseMs (use retry.baseMs)'), {
        type: 'DeprecationWarning',
        code: 'OSS_DEPRECATED_RETRY',
      });
    } finally {
      emit.mockRestore();
    }
  });

  it('names the deprecated option in its errors', () => {
    const { logger } = warningLogger();
    const spec = { defaults: DEFAULTS, aliases, logger };
    expect(() => resolveRetryOption({ maxRetries: -1 }, spec)).toThrow(
      '/options/maxRetries must be an integer ≥ 0',
    );
    expect(() => resolveRetryOption({ retryBaseMs: 100, retryMaxDelayMs: 50 }, spec)).toThrow(
      '/options/retryMaxDelayMs must be an integer ≥ retryBaseMs',
    );
    // A default that a deprecated base exceeds is named as the new option's field.
    expect(() => resolveRetryOption({ retryBaseMs: 20_000 }, spec)).toThrow(
      '/options/retry/maxDelayMs must be an integer ≥ retryBaseMs',
    );
  });

  it('refuses the new option together with a deprecated one', () => {
    const { logger, warnings } = warningLogger();
    expect(() =>
      resolveRetryOption({ retry: { limit: 1 }, retryBaseMs: 5 }, { defaults: DEFAULTS, aliases, logger }),
    ).toThrow('/options/retryBaseMs is deprecated and cannot be combined with /options/retry');
    expect(warnings).toEqual([]);
  });

  it('reads another key, such as the invoker’s restart', () => {
    const resolved = resolveRetryOption(
      { restart: { baseMs: 5 } },
      { key: 'restart', defaults: DEFAULTS, aliases: { baseMs: 'restartBaseMs' } },
    );
    expect(resolved).toEqual({ ...DEFAULTS, baseMs: 5 });
  });
});

describe('the primitives’ retry option', () => {
  it('has each primitive’s documented defaults', () => {
    expect(resolveOpenSkySourceOptions().retry).toEqual({ limit: 3, baseMs: 500, maxDelayMs: 10_000 });
    expect(resolveKafkaSinkOptions({}).retry).toEqual({
      limit: Number.POSITIVE_INFINITY,
      baseMs: 500,
      maxDelayMs: 15_000,
    });
    expect(resolveSnsPublisherOptions({}).retry).toEqual({ limit: 5, baseMs: 100, maxDelayMs: 5000 });
    const invoker = resolveLambdaInvokerOptions({ functionName: 'fn' });
    expect(invoker.retry).toEqual({ limit: 3, baseMs: 500, maxDelayMs: 30_000 });
    expect(invoker.restart).toEqual({ limit: Number.POSITIVE_INFINITY, baseMs: 1000, maxDelayMs: 30_000 });
  });

  it('keeps every deprecated name working, warned once per primitive, and out of the resolved options', () => {
    // Arrange
    const { logger, warnings } = warningLogger();
    // Act
    const source = resolveOpenSkySourceOptions({ maxRetries: 1, retryBaseMs: 2, retryMaxDelayMs: 3, logger });
    const sink = resolveKafkaSinkOptions({ retryBaseMs: 2, retryMaxDelayMs: 3, logger });
    const publisher = resolveSnsPublisherOptions({
      maxRetries: 1,
      retryBaseMs: 2,
      retryMaxDelayMs: 3,
      logger,
    });
    const invoker = resolveLambdaInvokerOptions({
      functionName: 'fn',
      maxRetryAttempts: -1,
      retryBaseMs: 2,
      retryMaxDelayMs: 3,
      restartBaseMs: 4,
      logger,
    });
    // Assert
    expect(source.retry).toEqual({ limit: 1, baseMs: 2, maxDelayMs: 3 });
    expect(sink.retry).toEqual({ limit: Number.POSITIVE_INFINITY, baseMs: 2, maxDelayMs: 3 });
    expect(publisher.retry).toEqual({ limit: 1, baseMs: 2, maxDelayMs: 3 });
    expect(invoker.retry).toEqual({ limit: Number.POSITIVE_INFINITY, baseMs: 2, maxDelayMs: 3 });
    expect(invoker.restart).toEqual({ limit: Number.POSITIVE_INFINITY, baseMs: 4, maxDelayMs: 30_000 });
    // One for each primitive, two for the invoker (retry, restart)
    expect(warnings.map((w) => w.fields?.deprecated)).toEqual([
      ['maxRetries', 'retryBaseMs', 'retryMaxDelayMs'],
      ['retryBaseMs', 'retryMaxDelayMs'],
      ['maxRetries', 'retryBaseMs', 'retryMaxDelayMs'],
      ['maxRetryAttempts', 'retryBaseMs', 'retryMaxDelayMs'],
      ['restartBaseMs'],
    ]);
    for (const resolved of [source, sink, publisher, invoker])
      for (const old of ['maxRetries', 'retryBaseMs', 'retryMaxDelayMs', 'maxRetryAttempts', 'restartBaseMs'])
        expect(resolved).not.toHaveProperty(old);
  });

  it('lets only the bridge retry until it succeeds, as ESM’s MaximumRetryAttempts -1', () => {
    expect(resolveLambdaInvokerOptions({ functionName: 'fn', retry: -1 }).retry.limit).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(() => resolveOpenSkySourceOptions({ retry: -1 })).toThrow('/options/retry/limit');
    expect(() => resolveSnsPublisherOptions({ retry: Number.POSITIVE_INFINITY })).toThrow(
      '/options/retry/limit',
    );
    expect(() => resolveLambdaInvokerOptions({ functionName: 'fn', restart: { limit: 5 } })).toThrow(
      '/options/restart/limit must be Infinity or -1',
    );
    expect(() => resolveLambdaInvokerOptions({ functionName: 'fn', restart: { baseMs: 0 } })).toThrow(
      '/options/restart/baseMs must be an integer ≥ 1',
    );
  });
});
