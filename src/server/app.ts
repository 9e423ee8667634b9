/**
 * The HTTP application: OpenAPI from the route schemas, one error handler,
 * API-key auth, the built UI at /, and every route module. server.ts starts
 * it; tests build it and call it with app.inject().
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from './context.js';
import { registerErrorHandling } from './error-handler.js';
import { markRoutes } from '../http/route-access.js';
import { ERROR_KEYWORDS } from '../http/schemas.js';
import { requestGuard, trustProxyFromSettings } from '../security/request-guard.js';
import { registerRoutes } from './routes/index.js';
import { projectRoot, packageVersion } from '../paths.js';

export type App = FastifyInstance;

interface BuildAppOptions {
  /** Folder of the built UI; GET / answers JSON when it has no index.html. */
  webDir?: string;
  logger?: boolean;
}

export async function buildApp(ctx: AppContext, opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: (opts.logger === false ? undefined : ctx.log) as FastifyBaseLogger | undefined,
    // Per-request logs would drown the useful lines of a long-running service.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 10 * 1024 * 1024,
    // verbose: a failure carries its schema, whose x-error-code names the error (http/schemas.ts schemaError).
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false, verbose: true, keywords: ERROR_KEYWORDS } },
    // X-Forwarded-* only from the proxies the trust_proxy setting names (none by default).
    trustProxy: trustProxyFromSettings(ctx.settings, (value, err) => ctx.log.warn({ trust_proxy: value, err: err.message }, 'trust_proxy is not a list of addresses or CIDR ranges: no proxy is trusted')),
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as FastifyInstance;

  app.decorate('ctx', ctx);
  registerErrorHandling(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'TranscriptorIO API',
        version: packageVersion(),
        description: 'Subtitles for every video in a media library, generated locally with Whisper.',
      },
      components: {
        securitySchemes: {
          apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
          apiKeyQuery: { type: 'apiKey', in: 'query', name: 'apikey' },
        },
      },
      security: [{ apiKeyHeader: [] }, { apiKeyQuery: [] }],
    },
    // A module's root route is served with and without the trailing slash;
    // document it as the contract spells it (`/api/jobs`).
    transform: ({ schema, url, route }) => ({ schema, url: url.length > 1 ? url.replace(/\/$/, '') : url, route }),
    // Routes whose body may be left out say so with `'x-optional-body': true`.
    transformObject: (documentObject) => {
      const openapiObject = (documentObject as unknown as { openapiObject: { paths?: Record<string, unknown> } }).openapiObject;
      for (const item of Object.values(openapiObject.paths ?? {})) {
        for (const op of Object.values(item as Record<string, Record<string, unknown>>)) {
          if (op && typeof op === 'object' && op['x-optional-body']) {
            delete op['x-optional-body'];
            if (op.requestBody) (op.requestBody as { required: boolean }).required = false;
          }
        }
      }
      return openapiObject as never;
    },
  });
  // One guard for every route: it decides on the route that matched (its `access`), never on the raw URL.
  app.addHook('onRequest', requestGuard(ctx.settings));
  // The open list (docs/SECURITY.md): the API documents and the UI's own files. Every other route needs the key.
  await app.register(async (docs) => {
    markRoutes(docs, 'open');
    await docs.register(swaggerUi, { routePrefix: '/docs', staticCSP: false });
    docs.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    registerRedoc(docs);
  });

  await app.register(multipart, { limits: { fileSize: 4 * 1024 * 1024 * 1024, files: 1 } });
  await registerRoutes(app, ctx);
  await app.register(async (ui) => {
    markRoutes(ui, 'open');
    await registerUi(ui, opts.webDir ?? join(projectRoot(), 'web', 'dist'));
  });
  return app;
}

async function registerUi(app: FastifyInstance, webDir: string): Promise<void> {
  if (existsSync(join(webDir, 'index.html'))) {
    await app.register(fastifyStatic, { root: webDir, prefix: '/', wildcard: false, index: false, decorateReply: true });
    const index = readFileSync(join(webDir, 'index.html'));
    app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html').send(index));
    app.get('/assets/*', { schema: { hide: true } }, async (req, reply) =>
      reply.sendFile(join('assets', (req.params as { '*': string })['*'])),
    );
  } else {
    app.get('/', { schema: { tags: ['System'], summary: 'API info (the web UI when it is built)', security: [] } }, async () => ({
      name: 'TranscriptorIO API',
      version: packageVersion(),
      status: 'running',
      message: 'Frontend not built. Access API docs at /docs',
    }));
  }
}

/**
 * ReDoc's bundle, served from the dependency. Its one request to the internet
 * (the Redocly logo in the menu, from cdn.redoc.ly) points at an inline image
 * instead, so the page works on a machine without internet.
 */
let redocBundle: Buffer | null = null;
function redocScript(): Buffer {
  const file = join(projectRoot(), 'node_modules', 'redoc', 'bundles', 'redoc.standalone.js');
  return (redocBundle ??= Buffer.from(
    readFileSync(file, 'utf8').replaceAll('https://cdn.redoc.ly/redoc/logo-mini.svg', "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E"),
  ));
}

function registerRedoc(app: FastifyInstance): void {
  app.get('/redoc', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/html').send(`<!doctype html><html><head><meta charset="utf-8"><title>TranscriptorIO API - ReDoc</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>body{margin:0}</style></head>
<body><redoc spec-url="/openapi.json"></redoc><script src="/redoc/redoc.standalone.js"></script></body></html>`),
  );
  app.get('/redoc/redoc.standalone.js', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('application/javascript').header('cache-control', 'public, max-age=86400').send(redocScript()),
  );
}

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
  }
}
