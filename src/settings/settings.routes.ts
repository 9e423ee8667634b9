import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Message, Nullable, OneOf, errors } from '../http/schemas.js';
import { SETTING_CATEGORIES, VALUE_TYPES } from './settings.types.js';

const SettingSchema = Type.Object({
  id: Type.Integer({ description: 'the stored row\'s id; negative for a built-in setting at its default, which has no row (made from its key, the same in every version)' }),
  key: Type.String(),
  value: Type.String(),
  description: Nullable(Type.String()),
  category: Type.String(),
  value_type: Type.String(),
  created_at: Nullable(Type.String({ description: 'when the value was first set; null for a built-in setting at its default' })),
  updated_at: Nullable(Type.String({ description: 'when the value last changed; null for a built-in setting at its default' })),
  choices: Type.Optional(Type.Array(Type.String())),
  min: Type.Optional(Type.Number()),
  max: Type.Optional(Type.Number()),
  default_value: Type.Optional(Type.String()),
  effective_value: Type.Optional(Type.String({ description: 'the value in force when it is not the stored one: a flag or environment variable overrides it (api_host, api_port), or the stored value is invalid (a hand edit, a restored backup) and the default or, for a security setting, its safest value is used until a valid one is saved' })),
  overridden_by: Type.Optional(Type.String({ description: 'what puts effective_value in force, in words ("the PORT environment variable", "the default (4), because the stored value is invalid: it must be an integer")' })),
  masked: Type.Optional(Type.Boolean({ description: `true when value is the mask of a secret that is set; GET /api/settings/{key}?reveal=true shows it` })),
});
const KeyParams = Type.Object({ key: Type.String() });
const AnyValue = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null(), Type.Array(Type.Any()), Type.Object({})]);

export const settingsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const settings = app.ctx.settings;
  const tags = ['Settings'];

  app.get('/', {
    schema: {
      tags, summary: 'Get all settings or filter by category',
      querystring: Type.Object({
        category: Type.Optional(OneOf(SETTING_CATEGORIES, {
          description: SETTING_CATEGORIES.join(', '), error: 'bad_category', message: `Unknown category "{value}": use one of ${SETTING_CATEGORIES.join(', ')}`, allowEmpty: true,
        })),
      }),
      response: { 200: Type.Array(SettingSchema), ...errors(400) },
    },
  }, async (req) => settings.list(req.query.category || undefined));

  app.get('/presentation', {
    schema: {
      tags, summary: 'How the Settings page shows each setting: label, help text, section and order, advanced or internal',
      description: 'Sections come in display order; a setting without its own entry is shown by its key in the section of its category.',
      response: {
        200: Type.Object({
          sections: Type.Array(Type.Object({ id: Type.String(), title: Type.String(), description: Type.String() })),
          settings: Type.Array(Type.Object({
            key: Type.String(), label: Type.String(), help: Type.String(), section: Type.String(), order: Type.Integer(),
            advanced: Type.Boolean({ description: 'Shown only with "Show advanced"' }),
            hidden: Type.Boolean({ description: 'Internal state the page does not offer as a field' }),
            confirm: Nullable(Type.String({ description: 'A change with consequences elsewhere: the question the page asks before the field can be edited' })),
          })),
        }),
      },
    },
  }, async () => settings.presentation());

  app.post('/bulk-update', {
    schema: {
      tags, summary: 'Update several settings at once (all or nothing)',
      body: Type.Object({ settings: Type.Record(Type.String(), AnyValue) }),
      response: { 200: Message, ...errors(400, 404) },
    },
  }, async (req) => {
    const n = await settings.bulkUpdate(req.body.settings);
    return { message: `Updated ${n} ${n === 1 ? 'setting' : 'settings'} successfully` };
  });

  app.post('/init-defaults', {
    schema: {
      tags, summary: 'Initialize all default settings (safe to call multiple times)',
      description: 'Defaults are not stored: a built-in setting nobody set is at its definition\'s default, listed with a negative id and null dates. This reloads the settings and stores nothing.',
      response: { 200: Message },
    },
  }, async () => {
    await settings.initDefaults();
    return { message: 'Default settings initialized successfully' };
  });

  app.get('/:key', {
    schema: {
      tags, summary: 'Get a setting (a secret is masked unless reveal=true)', params: KeyParams,
      querystring: Type.Object({ reveal: Type.Optional(Type.Boolean({ description: 'true: show a secret setting in clear (needs the API key, like every route here)' })) }),
      response: { 200: SettingSchema, ...errors(404) },
    },
  }, async (req) => settings.getSetting(req.params.key, { reveal: req.query.reveal === true }));

  app.put('/:key', {
    schema: { tags, summary: 'Update a setting value', params: KeyParams, body: Type.Object({ value: AnyValue }), response: { 200: SettingSchema, ...errors(400, 404) } },
  }, async (req) => settings.update(req.params.key, req.body.value));

  app.post('/', {
    schema: {
      tags, summary: 'Create a new setting',
      body: Type.Object({
        key: Type.String({ minLength: 1 }), value: AnyValue, description: Type.Optional(Nullable(Type.String())),
        category: Type.Optional(OneOf(SETTING_CATEGORIES, { error: 'bad_category', message: `category must be one of ${SETTING_CATEGORIES.join(', ')}` })),
        value_type: Type.Optional(OneOf(VALUE_TYPES, { error: 'bad_value_type', message: `value_type must be one of ${VALUE_TYPES.join(', ')}` })),
      }),
      response: { 201: SettingSchema, ...errors(400, 409) },
    },
  }, async (req, reply) => reply.status(201).send(await settings.create(req.body)));

  app.delete('/:key', { schema: { tags, summary: 'Delete a setting', params: KeyParams, response: { 200: Message, ...errors(400, 404) } } },
    async (req) => {
      await settings.remove(req.params.key);
      return { message: `Setting '${req.params.key}' deleted successfully` };
    });
};
