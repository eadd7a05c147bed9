/** `GET /health`: liveness, without a token (a load balancer's probe has none). */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';

const HealthResponse = Type.Object({ status: Type.Literal('ok'), uptimeSeconds: Type.Number() });

export const healthRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    '/health',
    { schema: { tags: ['health'], summary: 'Liveness probe (no token needed)', security: [], response: { 200: HealthResponse } } },
    async () => ({ status: 'ok' as const, uptimeSeconds: Math.round(process.uptime()) }),
  );
};
