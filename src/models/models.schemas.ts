/** The Models API's shape: validation, OpenAPI and the service's type come from here. */
import { Type } from '@fastify/type-provider-typebox';
import { Nullable } from '../server/schemas.js';

export const ModelSchema = Type.Object({
  name: Type.String(), file: Type.String(), kind: Type.String(), multilingual: Type.Boolean(),
  size_bytes: Type.Integer(), installed: Type.Boolean(), path: Type.String(), sha: Nullable(Type.String()),
  description: Type.String(), partial_bytes: Nullable(Type.Integer()), downloading: Type.Boolean(),
  progress: Nullable(Type.Number()),
  in_use: Type.Boolean({ description: 'A quality preset runs with this model (whisper_model, or the preset\'s own model)' }),
  used_by: Type.Array(Type.String(), { description: 'The presets that run with this model' }),
});
