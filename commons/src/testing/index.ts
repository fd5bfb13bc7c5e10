export * from './service-process.ts';
export * from './stack.ts';
