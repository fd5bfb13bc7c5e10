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
  });
  project.provide('awsEndpoint', emulator.endpoint);
  return () => emulator.stop();
}
