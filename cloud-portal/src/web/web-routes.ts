import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { cloudNotFoundHandler } from '@vigie/common/http';

/** Where `npm run build -w cloud-portal` puts the web front end. */
export const WEB_DIST_DIR = resolve(import.meta.dirname, '../../web/dist');

/** Paths that are API, never pages: an unknown one is a JSON 404, not the SPA. */
const API_PREFIXES = ['/api/', '/ingest/', '/demo/api/', '/admin/api/', '/fhir/'];

const MISSING_BUILD_PAGE = `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Vigie</title></head>
<body><h1>Vigie</h1>
<p>L'interface web n'est pas construite. Lancez <code>npm run build -w cloud-portal</code> puis redémarrez.</p>
<p>The web front end is not built. Run <code>npm run build -w cloud-portal</code>, then restart.</p>
</body></html>
`;

/**
 * Serve the web build at `/` with SPA fallback (any other page path → index.html, the front end
 * routes it), or, when there is no build, a page saying how to make one. Decided at start.
 */
export async function registerWeb(app: FastifyInstance, distDir: string = WEB_DIST_DIR): Promise<void> {
  const built = existsSync(join(distDir, 'index.html'));
  if (built) await app.register(fastifyStatic, { root: distDir, prefix: '/', wildcard: true });
  app.setNotFoundHandler((request, reply) => {
    const isPage = (request.method === 'GET' || request.method === 'HEAD') && !API_PREFIXES.some((p) => request.url.startsWith(p));
    if (!isPage) return cloudNotFoundHandler(request, reply);
    if (built) return reply.header('cache-control', 'no-cache').sendFile('index.html');
    return reply.type('text/html; charset=utf-8').send(MISSING_BUILD_PAGE);
  });
}
