import { fileURLToPath } from 'node:url';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/** Emulators accept any credentials; the SDK's default chain picks these up. */
const awsTestEnv = {
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** Two projects per workspace: fast unit tests, and integration tests against a real emulator process. */
function workspaceProjects(workspace: string): TestProjectInlineConfiguration[] {
  return [
    {
      test: {
        name: `${workspace}-unit`,
        root: workspace,
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
        exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        env: awsTestEnv,
      },
    },
    {
      test: {
        name: `${workspace}-int`,
        root: workspace,
        include: ['src/**/*.int.test.ts', 'test/**/*.int.test.ts'],
        globalSetup: [fileURLToPath(new URL('./commons/src/local-aws/vitest-global-setup.ts', import.meta.url))],
        env: awsTestEnv,
        testTimeout: 30_000,
        hookTimeout: 60_000,
      },
    },
  ];
}

export default defineConfig({
  test: {
    projects: [
      ...['commons', 'gateway', 'sessions', 'uploads', 'frontend'].flatMap(workspaceProjects),
      // Terraform and compose against the code: pure parsing, no emulator.
      workspaceProjects('infra').filter((p) => p.test?.name === 'infra-unit'),
      // The benchmark's own logic (batching, re-signing, summaries); the benchmark itself is `make bench`.
      workspaceProjects('bench').filter((p) => p.test?.name === 'bench-unit'),
      // End-to-end: integration tests start the services as real processes; the unit tests cover the
      // soak harness's own logic (statistics, user rotation).
      workspaceProjects('e2e'),
    ].flat(),
  },
});
