// Placeholder: replaced by the real service module.
import type { Service } from './lib.ts';

export const lambdaService: Service = {
  name: 'lambda',
  endpoint: () => 'not implemented',
  install: async () => {},
  start: async () => {
    throw new Error('lambda service not implemented yet');
  },
  healthy: async () => false,
};
