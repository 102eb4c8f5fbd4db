/**
 * The endpoint's log: one JSON object per line on stdout, which the launcher
 * sends to the stack's `lambda` log (`stack logs`, `logs`).
 */

/** Where every part of the endpoint logs. */
export type EndpointLog = (message: string, fields?: Record<string, unknown>) => void;

/** {@link EndpointLog} as JSON lines on stdout, with the time first. */
export const jsonLog: EndpointLog = (message, fields = {}) => {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg: message, ...fields })}\n`);
};
