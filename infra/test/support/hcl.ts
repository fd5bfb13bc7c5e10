import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@cdktf/hcl2json';

/** Parsing helpers for the agreement tests that check one Terraform topic each (edge, health, ...). */
export const root = fileURLToPath(new URL('../../..', import.meta.url));
export const tfDir = join(root, 'infra/terraform');
// biome-ignore lint/suspicious/noExplicitAny: parsed HCL is untyped; the assertions check its shape.
export type Json = Record<string, any>;

/** A Terraform file (path relative to infra/terraform) as HCL-to-JSON renders it. */
export async function hcl(path: string): Promise<Json> {
  return (await parse(path, readFileSync(join(tfDir, path), 'utf8'))) as Json;
}

/** The one resource (or data source) block `type.name` in a parsed file. */
export function block(doc: Json, type: string, name: string): Json {
  const found = doc.resource?.[type]?.[name]?.[0] ?? doc.data?.[type]?.[name]?.[0];
  if (!found) throw new Error(`${type}.${name} not found`);
  return found;
}

/** Every block of one resource type in a parsed file. */
export const resourceBlocks = (doc: Json, type: string): Json[] =>
  Object.values((doc.resource?.[type] ?? {}) as Record<string, Json[]>).map((b) => b[0] as Json);

/** A Terraform interpolation, e.g. `${var.prefix}`, as HCL-to-JSON renders it. */
export const tfRef = (expression: string) => ['$', '{', expression, '}'].join('');

/** The first block of a nested block list (`statement`, `rule`, ...), or {} when absent. */
export const first = (blocks: unknown): Json => ((blocks as Json[] | undefined)?.[0] ?? {}) as Json;

/** A source file of the repository, as text. */
export const source = (path: string) => readFileSync(join(root, path), 'utf8');
