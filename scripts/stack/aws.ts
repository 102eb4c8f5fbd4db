// Placeholder: replaced by the real service module.
import type { Service } from './lib.ts';

export const awsService: Service = {
  name: 'aws',
  endpoint: () => 'not implemented',
  install: async () => {},
  start: async () => {
    throw new Error('aws service not implemented yet');
  },
  healthy: async () => false,
};
