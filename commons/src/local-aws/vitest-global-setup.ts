import type { TestProject } from 'vitest/node';
import { startEmulator } from './emulator.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    awsEndpoint: string;
  }
}

/**
 * Vitest global setup for integration projects: one emulator per project run (or the user's own
 * `AWS_ENDPOINT_URL`), torn down at the end. Test files isolate themselves by resource prefix.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const emulator = await startEmulator({
    endpoint: process.env.AWS_ENDPOINT_URL,
    // Small parts keep multipart tests fast; moto then accepts parts >= 1 KiB.
    s3PartMinSize: 1024,
    // EMULATOR_LOG=1 shows the emulator's own log (tracebacks of its 500s) while debugging tests.
    ...(process.env.EMULATOR_LOG ? { onLog: (line: string) => console.error(`[emulator] ${line}`) } : {}),
  });
  project.provide('awsEndpoint', emulator.endpoint);
  return () => emulator.stop();
}
