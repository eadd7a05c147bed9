/**
 * Bearer-token authentication for every route but `GET /health`. The comparison is constant
 * time and leaks not even the token's length: both sides are hashed (SHA-256) first and the
 * digests, always 32 bytes, are compared with `timingSafeEqual`.
 *
 * The check is added to each route as it is declared (an `onRoute` hook adding a route-level
 * `onRequest`), after the rate limiter's own: a client guessing tokens is throttled like any.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { GasError } from '../errors.js';

/** Routes anyone may call: a load balancer's liveness probe has no token. */
const OPEN_ROUTES = new Set(['GET /health', 'HEAD /health']);

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Whether `presented` is the token whose digest is `expected` (constant time in contents and lengths). */
export function tokenMatches(expected: Buffer, presented: string): boolean {
  return timingSafeEqual(expected, digest(presented));
}

/** The token a request presents in `Authorization: Bearer <token>`, or null. */
function presentedToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match ? match[1]! : null;
}

/** Adds the check to every route declared in `app` (and its children) from now on. */
export function registerBearerAuth(app: FastifyInstance, token: string): void {
  const expected = digest(token);
  const check: onRequestHookHandler = async (request: FastifyRequest, reply: FastifyReply) => {
    const presented = presentedToken(request);
    if (presented !== null && tokenMatches(expected, presented)) return;
    reply.header('www-authenticate', 'Bearer realm="gasworks"');
    throw new GasError('GAS_ERR_AUTH', presented === null ? 'a bearer token is required (Authorization: Bearer <token>)' : 'the bearer token is wrong');
  };
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.every((method) => OPEN_ROUTES.has(`${method} ${route.url}`))) return;
    const existing = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [...existing, check];
  });
}
