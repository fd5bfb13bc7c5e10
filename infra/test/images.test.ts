import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The service images: one exact Node 24 LTS release, the same in every image (issue 15). */
const root = fileURLToPath(new URL('../..', import.meta.url));
const SERVICES = ['gateway', 'sessions', 'uploads'];

const dockerfile = (service: string) => readFileSync(join(root, service, 'Dockerfile'), 'utf8');
/** How a FROM line names an image argument (`$` + `{NAME}`). */
const arg = (name: string) => ['$', '{', name, '}'].join('');
const argDefaults = (text: string) =>
  Object.fromEntries([...text.matchAll(/^ARG (NODE_\w+_IMAGE)=(\S+)$/gm)].map((m) => [m[1], m[2]]));

describe('service images', () => {
  it('every stage starts from the Node image arguments, never a tag of its own', () => {
    for (const service of SERVICES) {
      const froms = [...dockerfile(service).matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
      expect(froms.length, service).toBeGreaterThanOrEqual(3);
      expect(
        froms.filter((from) => from !== arg('NODE_BUILD_IMAGE') && from !== arg('NODE_RUNTIME_IMAGE')),
        service,
      ).toEqual([]);
    }
  });

  it('the arguments name one exact Node 24 release, the same in every image', () => {
    const defaults = SERVICES.map((service) => argDefaults(dockerfile(service)));
    for (const images of defaults) {
      expect(images.NODE_BUILD_IMAGE).toMatch(/^node:24\.\d+\.\d+-bookworm$/);
      expect(images.NODE_RUNTIME_IMAGE).toMatch(/^node:24\.\d+\.\d+-bookworm-slim$/);
      expect(images.NODE_RUNTIME_IMAGE?.replace('-slim', '')).toBe(images.NODE_BUILD_IMAGE);
    }
    expect(new Set(defaults.map((images) => JSON.stringify(images))).size).toBe(1);
  });
});
