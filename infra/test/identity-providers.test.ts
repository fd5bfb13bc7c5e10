import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@cdktf/hcl2json';
import { gatewayConfigSchema } from '@lfusys/gateway/config';
import { describe, expect, it } from 'vitest';

/**
 * Sign-in with identity providers (DESIGN.md §9.4): Terraform passes the gateway the keys its
 * config reads, client secrets only through Secrets Manager, and a provider left off reaches the
 * gateway as no key at all (never half configured: config.ts refuses an id without its secret).
 */
const tfDir = fileURLToPath(new URL('../terraform', import.meta.url));
// biome-ignore lint/suspicious/noExplicitAny: parsed HCL is untyped; the assertions check its shape.
type Json = Record<string, any>;
const hcl = async (path: string) => (await parse(path, readFileSync(join(tfDir, path), 'utf8'))) as Json;
const tfRef = (expression: string) => ['$', '{', expression, '}'].join('');

describe('identity providers: Terraform = the gateway config', async () => {
  const stack = await hcl('modules/stack/main.tf');
  const variables = await hcl('modules/stack/variables.tf');
  const secrets = await hcl('modules/secrets/main.tf');
  const secretOutputs = await hcl('modules/secrets/outputs.tf');
  const service = await hcl('modules/service/main.tf');
  const gateway = stack.module?.gateway?.[0] as Json;
  const secretsModule = stack.module?.secrets?.[0] as Json;

  it('passes client ids as plain environment and every client secret from Secrets Manager', () => {
    expect(gateway.environment.GITHUB_CLIENT_ID).toBe(tfRef('var.github_client_id'));
    expect(gateway.environment.GOOGLE_CLIENT_ID).toBe(tfRef('var.google_client_id'));
    for (const key of ['GITHUB_CLIENT_SECRET', 'GOOGLE_CLIENT_SECRET', 'OIDC_PROVIDERS']) {
      expect(Object.keys(gatewayConfigSchema.shape)).toContain(key);
      expect(gateway.environment[key], `${key} is never plain environment`).toBeUndefined();
      expect(gateway.secrets[key]).toMatch(/^\$\{module\.secrets\.\w+_arn\}$/);
    }
  });

  it('creates each secret only when its provider is on, and the default is off', () => {
    const pairs = [
      [
        'github_client_secret',
        'github_enabled',
        'var.github_client_id != ""',
        'GITHUB_CLIENT_SECRET',
        'github_client_secret_arn',
      ],
      [
        'google_client_secret',
        'google_enabled',
        'var.google_client_id != ""',
        'GOOGLE_CLIENT_SECRET',
        'google_client_secret_arn',
      ],
      [
        'oidc_providers',
        'oidc_providers_enabled',
        'var.oidc_providers_enabled',
        'OIDC_PROVIDERS',
        'oidc_providers_secret_arn',
      ],
    ] as const;
    for (const [resource, flag, condition, key, outputName] of pairs) {
      const output = secretOutputs.output[outputName];
      const secret = secrets.resource.aws_secretsmanager_secret[resource][0] as Json;
      expect(secret.count).toBe(tfRef(`var.${flag} ? 1 : 0`));
      expect(secret.name).toBe(`${tfRef('var.prefix')}/${key}`);
      expect(secret.secret_string, 'the operator puts the value; it is never in state').toBeUndefined();
      expect(secretsModule[flag]).toBe(tfRef(condition));
      expect(output?.[0]?.value).toBe(tfRef(`try(aws_secretsmanager_secret.${resource}[0].arn, "")`));
    }
    expect(variables.variable.github_client_id[0].default).toBe('');
    expect(variables.variable.google_client_id[0].default).toBe('');
    expect(variables.variable.oidc_providers_enabled[0].default).toBe(false);
  });

  it('leaves a secret whose ARN is "" out of the task definition, and lets the task read the others', () => {
    expect(service.locals[0].secrets).toContain('if var.secrets[key] != ""');
    const readable = secretOutputs.output.injected_secret_arns[0].value as string;
    for (const resource of ['github_client_secret', 'google_client_secret', 'oidc_providers']) {
      expect(readable).toContain(`aws_secretsmanager_secret.${resource}[*].arn`);
    }
  });
});
