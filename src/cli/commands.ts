export const commands: import('./main.ts').CommandFactory[] = [];
