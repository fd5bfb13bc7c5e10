import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { AppError } from '@lfusys/commons';
import type { FastifyInstance } from 'fastify';
import { API_PREFIX } from '../cookies.ts';

/**
 * Serves the built web app from `dir` on the API's origin (cookies and CSRF need one origin).
 * Hashed assets are cached for a year; every other GET for HTML that is not an API or ops path
 * gets `index.html`, so client-side routes survive a reload.
 */
export async function serveWebApp(app: FastifyInstance, dir: string): Promise<void> {
  if (!existsSync(join(dir, 'index.html')))
    throw new Error(`STATIC_DIR ${dir} has no index.html (run the frontend build)`);
  await app.register(fastifyStatic, {
    root: dir,
    wildcard: false,
    index: false,
    setHeaders: (res, path) => {
      res.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  // Client-side routes: any other GET that wants HTML gets the app; API paths keep their JSON 404.
  app.get('/*', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const isAppRoute = !path.startsWith(`${API_PREFIX}/`) && !/^\/(healthz|readyz|metrics)$/.test(path);
    const wantsHtml = path === '/' || request.headers.accept?.includes('text/html');
    if (!isAppRoute || !wantsHtml) throw new AppError('not_found', 'not found');
    reply.header('cache-control', 'no-cache');
    return reply.sendFile('index.html');
  });
}
