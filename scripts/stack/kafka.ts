// Placeholder: replaced by the real service module.
import type { Service } from './lib.ts';

export const kafkaService: Service = {
  name: 'kafka',
  endpoint: () => 'not implemented',
  install: async () => {},
  start: async () => {
    throw new Error('kafka service not implemented yet');
  },
  healthy: async () => false,
};
