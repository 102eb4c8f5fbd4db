/**
 * Telling "no network" apart from a passing fault: a request whose host name does not
 * resolve (`ENOTFOUND`, or `EAI_AGAIN` when no DNS server answers) will fail the same
 * way at every tick, so the source says so once, with what works offline, instead of
 * warning about each retry for ever.
 *
 * @module
 */

/** getaddrinfo's answers when the name cannot be resolved here and now. */
const DNS_FAILURES = new Set(['ENOTFOUND', 'EAI_AGAIN']);

/**
 * The DNS error code behind a failed fetch, or undefined when it is another failure.
 * cross-fetch (node-fetch) puts the code on its error; Node's own fetch on the error's
 * `cause`; the token provider wraps either in an error of its own: the cause chain is walked.
 */
export function dnsFailureCode(error: unknown): string | undefined {
  let current = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && DNS_FAILURES.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The one message logged when the API's host cannot be resolved: what is wrong and what works offline. */
export function offlineMessage(url: string, code: string): string {
  return (
    `no network: cannot resolve ${new URL(url).hostname} (${code}). Offline, generate traffic ` +
    '(opensky-stream produce --synthetic N, or syntheticSnapshots()) or replay a recording ' +
    '(produce --replay FILE, or replaySnapshots()); polling goes on and resumes when the network is back'
  );
}
