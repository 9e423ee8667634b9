/** The Models API's shape: validation, OpenAPI and the service's type come from here. */
import { Type } from '@fastify/type-provider-typebox';
import { Nullable } from '../http/schemas.js';

export const ModelSchema = Type.Object({
  name: Type.String(), file: Type.String(), kind: Type.String(), multilingual: Type.Boolean(),
  size_bytes: Type.Integer(), installed: Type.Boolean(), path: Type.String(), sha: Nullable(Type.String()),
  description: Type.String(), partial_bytes: Nullable(Type.Integer()), downloading: Type.Boolean(),
  progress: Nullable(Type.Number()),
  in_use: Type.Boolean({ description: 'A quality preset runs with this model (whisper_model, or the preset\'s own model)' }),
  used_by: Type.Array(Type.String(), { description: 'The presets that run with this model' }),
  recommended: Type.Boolean({ description: 'The model suggested for this machine\'s hardware (GET /api/models/recommendation says why)' }),
  bundled: Type.Boolean({ description: 'Shipped with the product (the Silero VAD model): installed without a download, and never deleted' }),
});

const HardwareSchema = Type.Object({
  cpu_cores: Type.Integer(),
  memory_gb: Type.Number(),
  gpus: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), memory_total_mb: Type.Integer() })),
});

export const RecommendationSchema = Type.Object({
  name: Type.String({ description: 'The catalogue model suggested for this hardware' }),
  reason: Type.String({ description: 'Why, in words' }),
  installed: Type.Boolean({ description: 'Whether that model is in the model folder' }),
  hardware: HardwareSchema,
  model_dir: Type.String({ description: 'The model folder as an absolute path: a ggml file copied there is found without a download' }),
  current_model: Type.String({ description: 'The model jobs use now (whisper_model, or the default preset\'s own model)' }),
  current_installed: Type.Boolean({ description: 'Whether that model is on disk' }),
});
