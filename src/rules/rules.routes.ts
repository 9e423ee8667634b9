import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Message, Nullable, errors } from '../server/schemas.js';

const Conditions = Type.Object({
  audio_language_is: Nullable(Type.String()),
  audio_language_not: Nullable(Type.String()),
  audio_track_count_min: Nullable(Type.Integer()),
  has_embedded_subtitle_lang: Nullable(Type.String()),
  missing_embedded_subtitle_lang: Nullable(Type.String()),
  missing_external_subtitle_lang: Nullable(Type.String()),
  file_extension: Nullable(Type.String()),
});
const Action = Type.Object({
  action_type: Type.String(), target_language: Type.String(), quality_preset: Type.String(), job_priority: Type.Integer(),
});
export const RuleSchema = Type.Object({
  id: Type.Integer(), name: Type.String(), enabled: Type.Boolean(), priority: Type.Integer(),
  conditions: Conditions, action: Action, created_at: Type.String(), updated_at: Nullable(Type.String()),
});
const ConditionsInput = Type.Record(Type.String(), Type.Union([Type.String(), Type.Integer(), Type.Null()]), {
  description: 'Any of: ' + Object.keys(Conditions.properties).join(', '),
});
const ActionInput = Type.Object({
  action_type: Type.Optional(Type.String({ description: 'transcribe or translate' })),
  target_language: Type.Optional(Type.String({ description: 'ISO 639-2' })),
  quality_preset: Type.Optional(Type.String({ description: 'fast, balanced, best' })),
  job_priority: Type.Optional(Type.Integer()),
});
const CreateBody = Type.Object({
  name: Type.String({ minLength: 1 }),
  enabled: Type.Optional(Type.Boolean()),
  priority: Type.Optional(Type.Integer()),
  conditions: Type.Optional(ConditionsInput),
  action: ActionInput,
});
const UpdateBody = Type.Partial(CreateBody);
const IdParams = Type.Object({ rule_id: Type.Integer() });

export const rulesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const rules = app.ctx.rules;
  const tags = ['Scan Rules'];

  app.get('/', {
    schema: {
      tags, summary: 'List scan rules (highest priority first)',
      querystring: Type.Object({ enabled_only: Type.Optional(Type.Boolean({ default: false })) }),
      response: { 200: Type.Array(RuleSchema) },
    },
  }, async (req) => rules.list(req.query.enabled_only ?? false));

  app.get('/:rule_id', { schema: { tags, summary: 'Get a scan rule', params: IdParams, response: { 200: RuleSchema, ...errors(404) } } },
    async (req) => rules.get(req.params.rule_id));

  app.post('/', { schema: { tags, summary: 'Create a scan rule', body: CreateBody, response: { 201: RuleSchema, ...errors(400, 409) } } },
    async (req, reply) => reply.status(201).send(await rules.create(req.body)));

  app.put('/:rule_id', {
    schema: { tags, summary: 'Update a scan rule (partial update supported)', params: IdParams, body: UpdateBody, response: { 200: RuleSchema, ...errors(400, 404, 409) } },
  }, async (req) => rules.update(req.params.rule_id, req.body));

  app.delete('/:rule_id', { schema: { tags, summary: 'Delete a scan rule', params: IdParams, response: { 200: Message, ...errors(404) } } },
    async (req) => {
      await rules.remove(req.params.rule_id);
      return { message: `Scan rule ${req.params.rule_id} deleted successfully` };
    });

  app.post('/:rule_id/toggle', { schema: { tags, summary: 'Toggle a rule enabled/disabled', params: IdParams, response: { 200: RuleSchema, ...errors(404) } } },
    async (req) => rules.toggle(req.params.rule_id));
};
