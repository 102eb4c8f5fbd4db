/** The `--ui` / `--ui-port` flags of `demo`, `tail` and `ui` (the live page: src/cli/live-page.ts). */
import { type FlagSpec, flags } from './flags.ts';

/** `--ui-port`: where the live page listens. */
export const uiPortFlag = {
  type: 'number',
  to: 'ui.port',
  default: 8080,
  describe: 'Port of the live page (bound to 127.0.0.1; 0 picks a free one)',
} as const satisfies FlagSpec;

/** `--ui` (on by default for the demo, off for tail) and `--ui-port`. */
export const uiFlags = (uiByDefault: boolean) =>
  flags({
    ui: {
      type: 'boolean',
      to: 'ui.enabled',
      default: uiByDefault,
      describe: `Serve a live map of the aircraft and a health panel on http://127.0.0.1:<ui-port>/, with a Kafka view of topics, consumer groups and messages when Kafka brokers are configured${uiByDefault ? ' (--no-ui: off)' : ' (KAFKA_BROKERS)'}`,
    },
    'ui-port': uiPortFlag,
  });
