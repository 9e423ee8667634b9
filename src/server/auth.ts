import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from './context.js';

/** Paths that need the API key when auth is on (the UI's static files and /health stay open). */
export function isProtectedPath(path: string): boolean {
  return (
    path.startsWith('/api/') || path === '/api' || path.startsWith('/asr') || path.startsWith('/detect-language') ||
    path === '/status' || path.startsWith('/v1/') || path.startsWith('/provider/') || path.startsWith('/webhooks/')
  );
}

export function isLoopback(ip: string | undefined): boolean {
  if (!ip) return false;
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

function sameKey(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The key a request presents: X-Api-Key, ?apikey=, or Authorization: Bearer (OpenAI clients). */
export function presentedKey(req: FastifyRequest): string | null {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  const q = (req.query as Record<string, unknown> | undefined)?.apikey;
  if (typeof q === 'string' && q) return q;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return null;
}

export function keyMatches(ctx: AppContext, key: string | null): boolean {
  const expected = ctx.settings.getString('api_key');
  return !!key && !!expected && sameKey(key, expected);
}

export function registerAuth(app: FastifyInstance, ctx: AppContext): void {
  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0];
    if (!isProtectedPath(path)) return;
    // Provider paths that carry the key check it themselves (Bazarr cannot send headers).
    if (path.startsWith('/provider/')) return;
    if (!ctx.settings.getBoolean('auth_enabled')) return;
    if (ctx.settings.getBoolean('auth_exempt_local') && isLoopback(req.ip)) return;
    if (keyMatches(ctx, presentedKey(req))) return;
    return reply.status(401).send({ detail: 'Missing or invalid API key: send it as the X-Api-Key header or the apikey query parameter', code: 'unauthorized' });
  });
}
