import { describe, expect, it } from 'vitest';
import { hcl, type Json, tfRef } from './support/hcl.ts';

/**
 * Keys on the first apply with no manual step (issue 15): Terraform creates the key secrets
 * without values, each service makes the private keys it holds and publishes their public halves
 * (commons/src/secrets), and each task role reaches only its own secrets and the public ones it needs.
 */
type Service = 'gateway' | 'sessions' | 'uploads';
const GET = 'secretsmanager:GetSecretValue';
const PUT = 'secretsmanager:PutSecretValue';

/** key_secret_arns entry → the module "secrets" output it must be, and who may do what with it. */
const KEY_SECRETS: Record<string, { output: string; access: Partial<Record<Service, string[]>> }> = {
  jwt_private_keys: { output: 'jwt_private_keys_secret_arn', access: { gateway: [GET, PUT] } },
  gateway_caller_key: { output: 'sessions_caller_key_secret_arns.gateway', access: { gateway: [GET, PUT] } },
  gateway_caller_public_key: {
    output: 'sessions_caller_public_key_secret_arns.gateway',
    access: { gateway: [GET, PUT], sessions: [GET] },
  },
  uploads_caller_key: { output: 'sessions_caller_key_secret_arns.uploads', access: { uploads: [GET, PUT] } },
  uploads_caller_public_key: {
    output: 'sessions_caller_public_key_secret_arns.uploads',
    access: { uploads: [GET, PUT], sessions: [GET] },
  },
  sessions_tls: { output: 'sessions_grpc_tls_secret_arn', access: { sessions: [GET, PUT] } },
  sessions_tls_ca: {
    output: 'sessions_grpc_tls_ca_secret_arn',
    access: { sessions: [GET, PUT], gateway: [GET], uploads: [GET] },
  },
};

describe('key secrets', async () => {
  const secrets = await hcl('modules/secrets/main.tf');
  const iam = await hcl('modules/iam/main.tf');
  const stack = await hcl('modules/stack/main.tf');
  const env = (service: Service) => (stack.module?.[service]?.[0]?.environment ?? {}) as Json;
  const injected = (service: Service) => (stack.module?.[service]?.[0]?.secrets ?? {}) as Json;

  it('are created without a value: only CSRF_SECRET gets one from Terraform, and nothing asks the operator for a key', () => {
    expect(Object.keys(secrets.resource.aws_secretsmanager_secret_version)).toEqual(['csrf_secret']);
    for (const name of ['jwt_private_keys', 'sessions_caller_key', 'sessions_caller_public_key', 'sessions_grpc_tls']) {
      expect(secrets.resource.aws_secretsmanager_secret[name]?.[0]?.description).toMatch(/made by|published by/);
    }
    expect(secrets.resource.aws_secretsmanager_secret.grpc_caller_public_keys).toBeUndefined();
  });

  it('are handed to the IAM module as the secrets module outputs', () => {
    const passed = stack.module.iam[0].key_secret_arns as Json;
    expect(Object.keys(passed).sort()).toEqual(Object.keys(KEY_SECRETS).sort());
    for (const [key, { output }] of Object.entries(KEY_SECRETS))
      expect(passed[key]).toBe(tfRef(`module.secrets.${output}`));
  });

  for (const service of ['gateway', 'sessions', 'uploads'] as const) {
    it(`${service}'s task role: Get+Put on the secrets it writes, Get on the public ones it reads, nothing else`, () => {
      const statements = (iam.data.aws_iam_policy_document[service][0].statement ?? []) as Json[];
      const granted: Record<string, string[]> = {};
      for (const statement of statements) {
        for (const resource of statement.resources as string[]) {
          const match = /^\$\{var\.key_secret_arns\.(\w+)\}$/.exec(resource);
          if (match)
            granted[match[1] as string] = [...(granted[match[1] as string] ?? []), ...statement.actions].sort();
          else for (const action of statement.actions as string[]) expect(action).not.toMatch(/^secretsmanager:/);
        }
      }
      const expected = Object.fromEntries(
        Object.entries(KEY_SECRETS).flatMap(([key, { access }]) =>
          access[service] ? [[key, [...access[service]].sort()]] : [],
        ),
      );
      expect(granted).toEqual(expected);
    });
  }

  it('sessions never reads a caller private key', () => {
    const resources = (iam.data.aws_iam_policy_document.sessions[0].statement as Json[]).flatMap((s) => s.resources);
    expect(resources.filter((r: string) => /caller_key\}$|jwt_private_keys/.test(r))).toEqual([]);
  });

  it('the execution role reads only the secrets ECS injects, and no service gets a key injected', () => {
    expect(stack.module.iam[0].secret_arns).toBe(tfRef('module.secrets.injected_secret_arns'));
    expect(Object.keys(injected('gateway')).sort()).toEqual(
      ['CSRF_SECRET', 'GITHUB_CLIENT_SECRET', 'GOOGLE_CLIENT_SECRET', 'OIDC_PROVIDERS'].sort(),
    );
    expect(injected('sessions')).toEqual({});
    expect(injected('uploads')).toEqual({});
  });

  it('points each service at its secrets through the *_SECRET_ID keys its config reads', () => {
    const ref = (output: string) => tfRef(`module.secrets.${output}`);
    expect(env('gateway')).toMatchObject({
      JWT_PRIVATE_KEYS_SECRET_ID: ref('jwt_private_keys_secret_arn'),
      SESSIONS_CALLER_KEY_SECRET_ID: ref('sessions_caller_key_secret_arns.gateway'),
      SESSIONS_CALLER_PUBLIC_KEY_SECRET_ID: ref('sessions_caller_public_key_secret_arns.gateway'),
    });
    expect(env('uploads')).toMatchObject({
      SESSIONS_CALLER_KEY_SECRET_ID: ref('sessions_caller_key_secret_arns.uploads'),
      SESSIONS_CALLER_PUBLIC_KEY_SECRET_ID: ref('sessions_caller_public_key_secret_arns.uploads'),
    });
    expect(env('sessions').GRPC_CALLER_PUBLIC_KEY_SECRET_IDS).toBe(
      `gateway=${ref('sessions_caller_public_key_secret_arns.gateway')},uploads=${ref('sessions_caller_public_key_secret_arns.uploads')}`,
    );
  });

  it('turns TLS on for gRPC: sessions makes a certificate for the name the callers dial, and they trust its CA', () => {
    const locals = stack.locals[0] as Json;
    expect(locals.sessions_address).toBe(`${tfRef('local.sessions_host')}:50051`);
    expect(env('sessions')).toMatchObject({
      GRPC_TLS_SECRET_ID: tfRef('module.secrets.sessions_grpc_tls_secret_arn'),
      GRPC_TLS_CA_SECRET_ID: tfRef('module.secrets.sessions_grpc_tls_ca_secret_arn'),
      GRPC_TLS_NAME: tfRef('local.sessions_host'),
    });
    for (const caller of ['gateway', 'uploads'] as const) {
      expect(env(caller).SESSIONS_ADDRESS).toBe(tfRef('local.sessions_address'));
      expect(env(caller).SESSIONS_TLS_CA_SECRET_ID).toBe(tfRef('module.secrets.sessions_grpc_tls_ca_secret_arn'));
    }
  });

  it('has no output telling the operator to put a key', async () => {
    for (const path of ['modules/stack/outputs.tf', 'envs/dev/outputs.tf', 'envs/prod/outputs.tf']) {
      const outputs = (await hcl(path)).output as Json;
      expect(Object.keys(outputs)).not.toContain('jwt_private_keys_secret_arn');
      for (const [name, blocks] of Object.entries(outputs)) {
        expect((blocks as Json[])[0]?.description, `${path}: ${name}`).not.toMatch(/put(-secret-value| its value)/i);
      }
    }
  });
});
