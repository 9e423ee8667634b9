import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errors } from '../http/schemas.js';
import { AppError } from '../errors.js';
import { allResources, cpuInfo, memoryInfo } from './resources.service.js';
import { findGpu, listGpus } from './gpus.js';
import { runHealthChecks } from './health.service.js';
import { Nullable } from '../http/schemas.js';

const CpuSchema = Type.Object({
  usage_percent: Type.Number({ description: 'Busy share of all cores over the last second' }),
  count_logical: Type.Integer(),
  count_physical: Type.Integer(),
  frequency_mhz: Type.Number(),
});
const MemorySchema = Type.Object({
  total_gb: Type.Number(),
  used_gb: Type.Number({ description: 'Total minus available (page cache not counted)' }),
  free_gb: Type.Number({ description: 'Available memory' }),
  usage_percent: Type.Number(),
});
const GpuSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  memory_total_mb: Type.Integer(),
  memory_used_mb: Type.Integer(),
  memory_free_mb: Type.Integer(),
  utilization_percent: Type.Integer(),
});
const GpuEngineSchema = Type.Object(
  {
    node: Type.String({ description: "this node's name (the workers' `node`): the engine and devices are this node's" }),
    variant: Nullable(Type.Union([Type.Literal('cuda'), Type.Literal('vulkan')], { description: 'the whisper.cpp build GPU workers run: cuda with an NVIDIA GPU, else vulkan where its build sees a device; null: no GPU engine here' })),
    devices: Type.Array(Type.Object({ id: Type.Integer({ description: "a GPU worker's device_id" }), name: Type.String({ description: 'the device as its engine names it (Vulkan: with its driver)' }) })),
  },
  { description: "The engine of this node's GPU workers and the devices it can use" },
);

const HealthCheckSchema = Type.Object({
  id: Type.String({ description: 'stable identifier of the check (with the subject after a colon, e.g. model_missing:small)' }),
  level: Type.Union([Type.Literal('error'), Type.Literal('warning'), Type.Literal('info')]),
  message: Type.String({ description: 'what is wrong, for a person' }),
  fix: Type.String({ description: 'the one action that fixes it' }),
  link: Nullable(Type.String({ description: 'the web UI page where that is done (a #/ route)' })),
});

/** CPU, memory and GPU readings (GPUs through nvidia-smi; none when it is absent; the GPU engine and its devices); health checks. */
export const systemResourcesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['System Resources'];
  const ctx = app.ctx;

  app.get('/health', {
    schema: {
      tags: ['System'],
      summary: 'Health checks: what would keep jobs from running, each with its fix (errors first; empty when all is well)',
      response: { 200: Type.Object({ status: Type.Union([Type.Literal('ok'), Type.Literal('warning'), Type.Literal('error')]), checks: Type.Array(HealthCheckSchema) }) },
    },
  }, async () => {
    const checks = await runHealthChecks({
      db: ctx.database.db,
      settings: ctx.settings,
      dataDir: ctx.config.dataDir,
      tools: ctx.config.tools,
      // The address in force: a flag or HOST wins over the api_host setting (see server.ts listenAddress).
      listenHost: ctx.config.listenSource.host === 'default' ? ctx.settings.effectiveString('api_host') || ctx.config.host : ctx.config.host,
      rules: () => ctx.rules.list(true),
      workerRows: () => ctx.workers.service.rows(),
      diskFull: () => ctx.diskFull.current(),
    });
    const status = checks.some((c) => c.level === 'error') ? 'error' : checks.some((c) => c.level === 'warning') ? 'warning' : 'ok';
    return { status, checks } as const;
  });

  app.get('/resources', {
    schema: {
      tags,
      summary: 'All system resources (CPU, RAM, GPU)',
      response: { 200: Type.Object({ cpu: CpuSchema, memory: MemorySchema, gpus: Type.Array(GpuSchema, { description: 'NVIDIA GPUs (nvidia-smi)' }), gpu_engine: GpuEngineSchema }) },
    },
  }, async () => {
    const r = await allResources(ctx.config.tools);
    return { ...r, gpu_engine: { node: ctx.config.nodeName, ...r.gpu_engine } };
  });

  app.get('/cpu', { schema: { tags, summary: 'CPU information', response: { 200: CpuSchema } } }, async () => cpuInfo());

  app.get('/memory', { schema: { tags, summary: 'Memory information', response: { 200: MemorySchema } } }, async () => memoryInfo());

  app.get('/gpus', { schema: { tags, summary: 'All GPUs (empty when there is none or no nvidia-smi)', response: { 200: Type.Array(GpuSchema) } } },
    async () => listGpus(ctx.config.tools.nvidiaSmi));

  app.get('/gpu/:device_id', {
    schema: {
      tags, summary: 'One GPU by device index',
      params: Type.Object({ device_id: Type.Integer({ minimum: 0, description: 'GPU device index' }) }),
      response: { 200: GpuSchema, ...errors(400, 404) },
    },
  }, async (req) => {
    const gpu = await findGpu(ctx.config.tools.nvidiaSmi, req.params.device_id);
    if (!gpu) {
      const ids = (await listGpus(ctx.config.tools.nvidiaSmi)).map((g) => g.id);
      throw new AppError(404, 'gpu_not_found', ids.length
        ? `GPU ${req.params.device_id} not found: this machine has GPU ${ids.join(', ')}`
        : `GPU ${req.params.device_id} not found: no GPU detected (nvidia-smi not found or no NVIDIA device)`);
    }
    return gpu;
  });
};
