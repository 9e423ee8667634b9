/**
 * "Configure Bazarr for me" (bazarr-configure.service.ts): `POST /configure`
 * answers the changes to Bazarr's settings (a dry run) or, with
 * `confirm: true`, writes them and reads them back; `POST /configure/test`
 * reads Bazarr's settings and says whether they are in place. Under
 * /api/integrations/bazarr, with the API key.
 */
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errors, Nullable } from '../http/schemas.js';
import { BazarrConfigureService } from './bazarr-configure.service.js';

const Value = Nullable(Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Array(Type.String())]));

const Body = Type.Object({
  public_url: Type.Optional(Nullable(Type.String({ description: 'Where Bazarr reaches this server (http://nas.local:8000). Absent: the public_url setting, else the address Bazarr\'s endpoint already uses for this server, else the address of this request' }))),
  scores: Type.Optional(Type.Boolean({ description: 'Also lower Bazarr\'s minimum scores to what a Whisper subtitle scores (66 % for episodes, 50 % for movies with Bazarr\'s default score tables); they apply to every provider' })),
  confirm: Type.Optional(Type.Boolean({ description: 'true: write the changes to Bazarr and read them back. Absent or false: a dry run that only answers them' })),
}, { additionalProperties: false });

const Result = Type.Object({
  bazarr_url: Type.String(),
  applied: Type.Boolean({ description: 'the changes were written to Bazarr' }),
  changes: Type.Array(Type.Object({
    setting: Type.String({ description: "Bazarr's setting, section.key" }),
    label: Type.String({ description: "its name on Bazarr's Settings pages" }),
    from: Value,
    to: Value,
    why: Type.String(),
  }), { description: 'what is (dry run) or was (confirm) changed in Bazarr' }),
  verified: Nullable(Type.Boolean({ description: "after a confirm or a test: Bazarr's settings read back hold every change" })),
  mismatches: Type.Array(Type.String(), { description: "what Bazarr's settings do not show" }),
  provider_url: Nullable(Type.String({ description: "the endpoint Bazarr gets, with the provider key; null while that key is still to be made (a dry run)" })),
  new_provider_key: Type.Boolean({ description: 'a provider key of its own is (dry run) or was (confirm) made for Bazarr' }),
  notes: Type.Array(Type.String(), { description: 'advice in words: what is left as it is, and why' }),
});

export const bazarrConfigureRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['Integrations'];
  const service = new BazarrConfigureService(app.ctx.settings);
  const origin = (req: { protocol: string; host: string }) => `${req.protocol}://${req.host}`;
  app.post('/configure', {
    schema: {
      tags,
      summary: "Configure Bazarr's Whisper provider through Bazarr's settings API: a dry run answers the changes, confirm writes them and reads them back",
      body: Type.Optional(Body),
      response: { 200: Result, ...errors(400, 502) },
    },
  }, async (req) => service.configure(req.body ?? {}, origin(req)));
  app.post('/configure/test', {
    schema: {
      tags,
      summary: "Reads Bazarr's settings and says whether its Whisper provider is set up for this server (verified), and what differs",
      body: Type.Optional(Body),
      response: { 200: Result, ...errors(400, 502) },
    },
  }, async (req) => service.check(req.body ?? {}, origin(req)));
};
