export * from './bootstrap.ts';
export * from './emulator.ts';
export * from './resources.ts';
