/**
 * The web dashboard: static files (HTML, plain ES modules, CSS — no build step) served at `/`
 * and `/dashboard/*`, and uPlot's bundled script and style at `/dashboard/vendor/*`, so the page
 * works offline with nothing from a CDN. The page calls the REST API with the token the user
 * types in it; the files themselves hold no data and are served without one (a browser sends
 * no `Authorization` header when it navigates), so register this plugin outside the scope
 * that checks the token.
 *
 * tsc does not copy non-.ts files into dist/, so the files are found in the package's
 * `src/server/dashboard/public/` from here and from dist/server/dashboard/ alike (both are
 * three folders below the package root); a published package must list that folder in
 * package.json's `files`.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

/** `<package root>/src/server/dashboard/public/`, from src/server/dashboard/ or dist/server/dashboard/. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../../src/server/dashboard/public/', import.meta.url));

/** uPlot's dist/ folder, wherever npm placed the package. */
export const UPLOT_DIR = dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css'));

/** The only vendor files the page loads. */
const VENDOR_FILES = new Set(['/uPlot.iife.min.js', '/uPlot.min.css']);

/**
 * Everything from this origin, nothing inline, no frames: a value from the API that slipped
 * into the page as markup could not run. (uPlot sizes its elements through the style
 * property, which `style-src` does not govern.)
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS: Readonly<Record<string, string>> = { 'content-security-policy': CONTENT_SECURITY_POLICY, 'referrer-policy': 'no-referrer' };

export const dashboardPlugin: FastifyPluginAsync = async (app) => {
  await app.register(fastifyStatic, {
    root: DASHBOARD_DIR,
    prefix: '/dashboard/',
    decorateReply: false,
    index: ['index.html'],
    cacheControl: false,
    setHeaders: (res) => {
      for (const [name, value] of Object.entries(PAGE_HEADERS)) res.setHeader(name, value);
    },
  });
  await app.register(fastifyStatic, {
    root: UPLOT_DIR,
    prefix: '/dashboard/vendor/',
    decorateReply: false,
    allowedPath: (pathName) => VENDOR_FILES.has(pathName),
    maxAge: '1d',
  });
  app.get('/dashboard', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/dashboard/'));
  // The page's links are absolute (/dashboard/app.js), so the same document serves `/` too.
  app.get('/', { schema: { hide: true } }, async (_request, reply) => {
    const page = await readFile(`${DASHBOARD_DIR}index.html`);
    return reply.headers(PAGE_HEADERS).type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page);
  });
};
