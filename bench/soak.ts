/**
 * The reference pipeline for ten minutes at the real feed's size (10,000 aircraft every 3 s),
 * through the CLI: bench/e2e with a longer run, printing produce's and bridge's RSS every
 * minute, and whether it stays flat (the second half's peak within 10 % of the first half's).
 *
 *   npm run bench -- soak
 *   BENCH_SECONDS=1800 npm run bench -- soak      # half an hour
 */
process.env.BENCH_SECONDS ??= '600';
process.env.BENCH_RSS_EVERY_S ??= '60';
await import('./e2e.ts');
