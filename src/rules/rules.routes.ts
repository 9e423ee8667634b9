import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Message, errors } from '../http/schemas.js';
import { CreateBody, IdParams, RuleSchema, UpdateBody } from './rules.schemas.js';

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
