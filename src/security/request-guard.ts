/**
 * Who may call a route. The decision is made on the route Fastify matched
 * (its `config.access`), after the router has decoded the URL, so
 * `/%61pi/settings` is judged as the `/api/settings` route it reaches:
 *
 * - `open`: anyone (health check, the UI's files, the API documents);
 * - `provider-key`: the provider routes. Under `/provider/<key>/` the key in
 *   the path must be the provider key (`bazarr_api_key`); only an install
 *   that has no separate provider key yet (made before there was one) still
 *   takes the API key there, and its Health page says so. At the root
 *   (`GET /status`) the route decides what a caller without a key sees;
 * - the provider key also opens the root whisper-asr-webservice routes
 *   (`POST /asr`, `POST /detect-language`) sent with it as a
 *   header, and nothing else: a key Bazarr shows and logs can transcribe,
 *   never read or change this server;
 * - `key` (the default, also for unknown paths): the API key, or the local
 *   exemption when `auth_exempt_local` is on and the request really comes
 *   from this machine: a loopback peer, a loopback (or allowed) Host, and for
 *   a state-changing method no cross-site Origin / Sec-Fetch-Site.
 *
 * A state-changing request a browser marks as cross-site is refused with 403
 * unless it carries the key, whatever the other settings say: a web page the
 * user visits must never drive this server.
 */
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import proxyAddr from '@fastify/proxy-addr';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

export type RouteAccess = 'open' | 'key' | 'provider-key';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** who may call the route (security/request-guard.ts); absent means `key` */
    access?: RouteAccess;
  }
}

/** What the guard reads of the settings (the settings service fits). */
export interface GuardSettings {
  getString(key: string): string;
  getBoolean(key: string): boolean;
  getList(key: string): string[];
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isLoopbackAddress(ip: string | undefined): boolean {
  if (!ip) return false;
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

/**
 * Host = IP-literal / IPv4address / reg-name, then an optional ":" port
 * (RFC 7230 5.4, RFC 3986 3.2.2). reg-name is narrowed to the characters a
 * DNS name or an IPv4 address uses; anything wider (userinfo, a path,
 * spaces, sub-delims) is not a name this server should answer to as itself.
 */
const HOST_HEADER = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9._~-]+))(?::(\d{1,5}))?$/;

/**
 * The host name of a Host header (`[::1]:8000` → `::1`, `LocalHost:80` →
 * `localhost`), or null when the header is not a host and optional port:
 * `localhost:80@evil.com`, `localhost/x`, `localhost:abc` or an empty
 * header name no host, so they can never pass as this machine. Node's URL
 * parser is not used: it accepts userinfo and normalises (`127.1`,
 * percent-escapes), so it answers a different question than "is this header
 * exactly a host".
 */
export function hostName(host: string | undefined): string | null {
  const m = HOST_HEADER.exec((host ?? '').toLowerCase());
  if (!m) return null;
  if (m[3] !== undefined && Number(m[3]) > 65535) return null;
  if (m[1] !== undefined) return isIP(m[1]) === 6 ? m[1] : null;
  return m[2];
}

/** A name that can only mean this machine: localhost, loopback addresses, or one the user allowed. */
export function isLocalHostName(name: string | null, allowed: string[]): boolean {
  if (!name) return false;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) && isLoopbackAddress(name)) return true;
  return allowed.some((a) => a.trim().toLowerCase() === name);
}

/** True when a browser says the request comes from another site (or an opaque origin). */
function isCrossSite(req: Pick<FastifyRequest, 'headers' | 'host'>): boolean {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return true;
  const origin = req.headers.origin;
  if (typeof origin !== 'string' || !origin) return false;
  if (origin === 'null') return true;
  try {
    return new URL(origin).host.toLowerCase() !== (req.host ?? '').toLowerCase();
  } catch {
    return true;
  }
}

/** whisper-asr-webservice's routes at the root, by Fastify's route pattern: the provider key opens these too. */
const PROVIDER_KEY_ROUTES = new Set(['POST /asr', 'POST /detect-language']);

/**
 * The provider key, when this install has one of its own: `bazarr_api_key`
 * set and not the API key. The setup wizard made the two the same before
 * provider keys were separate; such a key counts as none.
 */
export function separateProviderKey(settings: Pick<GuardSettings, 'getString'>): string | null {
  const provider = settings.getString('bazarr_api_key').trim();
  return provider && provider !== settings.getString('api_key') ? provider : null;
}

/** The keys `/provider/<key>/` takes: the provider key; without one (an older install), the API key. */
export function providerPathKeys(settings: Pick<GuardSettings, 'getString'>): string[] {
  const own = separateProviderKey(settings);
  return own ? [own] : [settings.getString('api_key')];
}

function sameKey(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** True when `key` is one of the expected keys (empty expected keys never match). */
export function keyIsOneOf(key: string | null | undefined, expected: string[]): boolean {
  if (!key) return false;
  let ok = false;
  // Every key is compared, so the time taken does not tell which one nearly matched.
  for (const e of expected) if (e && sameKey(key, e)) ok = true;
  return ok;
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

type GuardVerdict = { allow: true } | { allow: false; error: AppError };

const unauthorized = (req: FastifyRequest) =>
  new AppError(
    401,
    'unauthorized',
    req.url.startsWith('/v1/')
      ? 'Missing or invalid API key: send it as Authorization: Bearer <api key> (the key is shown in Settings → Server and security)'
      : 'Missing or invalid API key: send it as the X-Api-Key header or the apikey query parameter (the key is shown in Settings → Server and security)',
  );

const badProviderKey = () =>
  new AppError(
    401,
    'unauthorized',
    'Invalid API key in the provider URL: use the provider URL shown in the setup wizard (Bazarr provider) or on the Settings page, /provider/<provider key>; the API key opens it only until a provider key is made',
  );

const crossSite = () =>
  new AppError(
    403,
    'cross_site_refused',
    'Refused a cross-site request: another web page tried to change this server through your browser. Use the TranscriptorIO web UI itself, or send the API key with the request.',
  );

/** The decision for one request (pure apart from reading settings, so it is easy to test). */
export function decide(req: FastifyRequest, settings: GuardSettings): GuardVerdict {
  const access: RouteAccess = req.is404 ? 'key' : (req.routeOptions.config?.access ?? 'key');
  if (access === 'open') return { allow: true };
  if (access === 'provider-key') {
    const inPath = (req.params as { apiKey?: unknown } | undefined)?.apiKey;
    if (inPath === undefined) return { allow: true };
    return keyIsOneOf(typeof inPath === 'string' ? inPath : null, providerPathKeys(settings)) ? { allow: true } : { allow: false, error: badProviderKey() };
  }
  const key = presentedKey(req);
  if (keyIsOneOf(key, [settings.getString('api_key')])) return { allow: true };
  const provider = separateProviderKey(settings);
  if (provider && PROVIDER_KEY_ROUTES.has(`${req.method} ${req.routeOptions.url}`) && keyIsOneOf(key, [provider])) return { allow: true };
  const changes = !SAFE_METHODS.has(req.method);
  if (changes && isCrossSite(req)) return { allow: false, error: crossSite() };
  if (!settings.getBoolean('auth_enabled')) return { allow: true };
  if (settings.getBoolean('auth_exempt_local') && isLocalRequest(req, settings)) return { allow: true };
  return { allow: false, error: unauthorized(req) };
}

/** From this machine for real: a loopback peer that also names this machine in its Host header. */
export function isLocalRequest(req: FastifyRequest, settings: GuardSettings): boolean {
  return isLoopbackAddress(req.ip) && isLocalHostName(hostName(req.host), settings.getList('allowed_hosts'));
}

/** The onRequest hook: answers 401/403 in the contract's error shape, or lets the request through. */
export function requestGuard(settings: GuardSettings) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const v = decide(req, settings);
    if (v.allow) return;
    await reply.status(v.error.status).send({ detail: v.error.message, code: v.error.code });
  };
}

/**
 * Fastify's trustProxy as a function of the `trust_proxy` setting, so a
 * change applies without a restart: empty trusts no proxy (X-Forwarded-*
 * headers are ignored), else a list for proxy-addr ("loopback", addresses,
 * CIDR ranges). A value proxy-addr cannot read trusts nothing.
 */
export function trustProxyFromSettings(settings: GuardSettings, onInvalid: (value: string, err: Error) => void = () => {}) {
  let text: string | null = null;
  let fn: (addr: string, hop: number) => boolean = () => false;
  return (addr: string, hop: number): boolean => {
    const now = settings.getString('trust_proxy').trim();
    if (now !== text) {
      text = now;
      fn = () => false;
      if (now && now !== 'false') {
        try {
          fn = proxyAddr.compile(now.split(',').map((s) => s.trim()).filter(Boolean));
        } catch (e) {
          onInvalid(now, e as Error);
        }
      }
    }
    return fn(addr, hop);
  };
}

/** A URL safe to log: no query string (it may hold ?apikey=) and no key inside /provider/<key>/. */
export function redactUrl(url: string): string {
  return url.split('?')[0].replace(/^\/provider\/[^/]+/, '/provider/<key>');
}
