import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@cdktf/hcl2json';
import { describe, expect, it } from 'vitest';

/**
 * Terraform needs only the AWS provider: `terraform init` in an account's pipeline downloads less,
 * and `make tf-check` can validate and test offline from a mirror that holds that one provider
 * (issue 15: `random` was the only one missing from the local mirror).
 */
const tfDir = fileURLToPath(new URL('../terraform', import.meta.url));

function terraformFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name.startsWith('.') ? [] : terraformFiles(path);
    return entry.name.endsWith('.tf') ? [path] : [];
  });
}

describe('Terraform providers', async () => {
  const files = await Promise.all(
    terraformFiles(tfDir).map(async (path) => ({
      path: relative(tfDir, path),
      // biome-ignore lint/suspicious/noExplicitAny: parsed HCL is untyped; the assertions check its shape.
      doc: (await parse(path, readFileSync(path, 'utf8'))) as Record<string, any>,
    })),
  );

  it('every module and environment requires the AWS provider and nothing else', () => {
    const required = files.flatMap(({ path, doc }) =>
      ((doc.terraform ?? []) as Array<Record<string, unknown>>).flatMap((block) =>
        ((block.required_providers ?? []) as Array<Record<string, { source: string }>>).flatMap((providers) =>
          Object.values(providers).map((provider) => `${path}: ${provider.source}`),
        ),
      ),
    );
    expect(required.length).toBeGreaterThanOrEqual(4);
    expect(required.filter((entry) => !entry.endsWith(': hashicorp/aws'))).toEqual([]);
  });

  it('no resource, data source or ephemeral resource of another provider is used', () => {
    const types = files.flatMap(({ path, doc }) =>
      ['resource', 'data', 'ephemeral'].flatMap((kind) =>
        Object.keys(doc[kind] ?? {}).map((type) => `${path}: ${type}`),
      ),
    );
    expect(types.length).toBeGreaterThan(20);
    expect(types.filter((entry) => !/: (aws_|terraform_data$)/.test(entry))).toEqual([]);
  });
});
