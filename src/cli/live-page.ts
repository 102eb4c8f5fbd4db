/**
 * The `--ui` / `--ui-port` options of `demo` and `tail`, and starting the live page
 * (src/ui/server.ts) from them.
 */
import type { Logger } from '../logger.ts';
import { type LiveServer, startLiveServer } from '../ui/server.ts';

/** `--ui` (on by default for the demo, off for tail) and `--ui-port`. */
export const uiOptions = (uiByDefault: boolean) => ({
  ui: {
    type: 'boolean' as const,
    default: uiByDefault,
    describe: `Serve a live map of the aircraft and a health panel on http://127.0.0.1:<ui-port>/${uiByDefault ? ' (--no-ui: off)' : ''}`,
  },
  'ui-port': {
    type: 'number' as const,
    default: 8080,
    describe: 'Port of the live page (bound to 127.0.0.1; 0 picks a free one)',
  },
});

/**
 * Start the live page when `--ui` is on. A port already in use is a warning, not a failure:
 * the pipeline is what the command is for.
 */
export async function openLivePage(
  argv: Record<string, unknown>,
  logger: Logger,
  title: string,
): Promise<LiveServer | undefined> {
  if (!argv.ui) return undefined;
  try {
    const page = await startLiveServer({ port: Number(argv['ui-port']), title });
    logger.info(`live page: ${page.url}`);
    return page;
  } catch (error) {
    logger.warn('the live page could not start (--ui-port chooses another port, --no-ui turns it off)', {
      error: (error as Error).message,
    });
    return undefined;
  }
}
