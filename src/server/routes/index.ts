/** Every route module, each under its prefix. Add a line per API area. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';
import { systemRoutes } from '../../system/status.routes.js';
import { jobsRoutes } from '../../jobs/jobs.routes.js';
import { settingsRoutes } from '../../settings/settings.routes.js';
import { rulesRoutes } from '../../rules/rules.routes.js';
import { rulePreviewRoutes } from '../../scanner/rule-preview.routes.js';
import { eventsRoutes } from '../../events/events.routes.js';
import { scannerRoutes } from '../../scanner/scanner.routes.js';
import { workersRoutes } from '../../workers/workers.routes.js';
import { modelsRoutes } from '../../models/models.routes.js';
import { systemResourcesRoutes } from '../../system/system.routes.js';
import { filesystemRoutes } from '../../filesystem/filesystem.routes.js';
import { setupRoutes } from '../../setup/setup.routes.js';
import { providerRoutes } from '../../provider/provider.routes.js';
import { openaiRoutes } from '../../provider/openai.routes.js';
import { webhooksRoutes } from '../../webhooks/webhooks.routes.js';
import { libraryRoutes } from '../../library/library.routes.js';
import { logsRoutes } from '../../logs/logs.routes.js';
import { bazarrSyncRoutes } from '../../integrations/bazarr-sync.routes.js';
import { syncRoutes } from '../../sync/sync.routes.js';

export async function registerRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await app.register(systemRoutes);
  await app.register(eventsRoutes, { prefix: '/api' });
  await app.register(jobsRoutes, { prefix: '/api/jobs' });
  await app.register(workersRoutes, { prefix: '/api/workers' });
  await app.register(rulesRoutes, { prefix: '/api/scan-rules' });
  await app.register(rulePreviewRoutes, { prefix: '/api/scan-rules' });
  await app.register(settingsRoutes, { prefix: '/api/settings' });
  await app.register(scannerRoutes, { prefix: '/api/scanner' });
  await app.register(modelsRoutes, { prefix: '/api/models' });
  await app.register(systemResourcesRoutes, { prefix: '/api/system' });
  await app.register(filesystemRoutes, { prefix: '/api/filesystem' });
  await app.register(setupRoutes, { prefix: '/api/setup' });
  await app.register(providerRoutes);
  await app.register(openaiRoutes, { prefix: '/v1' });
  await app.register(webhooksRoutes, { prefix: '/webhooks' });
  await app.register(libraryRoutes, { prefix: '/api/library' });
  await app.register(syncRoutes, { prefix: '/api/library' });
  await app.register(logsRoutes, { prefix: '/api/logs' });
  await app.register(bazarrSyncRoutes, { prefix: '/api/integrations/bazarr' });
  void ctx;
}
