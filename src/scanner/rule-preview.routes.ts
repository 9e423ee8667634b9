/**
 * POST /api/scan-rules/preview: a draft rule tried on the library as a scan
 * would take it (the probe cache, the folders' listings, the other enabled
 * rules). It lives with the scanner, whose pieces it runs; the rules API
 * (rules/rules.routes.ts) keeps the rules themselves.
 */
import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { resolve } from 'node:path';
import { errors } from '../http/schemas.js';
import { PreviewBody, PreviewSchema } from '../rules/rules.schemas.js';
import { explainRuleAction } from '../rules/rules-explain.js';
import { draftRule, previewRule } from './rule-preview.js';

export const rulePreviewRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['Scan Rules'];

  app.post('/preview', {
    schema: {
      tags,
      summary: 'Try a draft rule on the library now: what its action does and how many files it matches (creates nothing)',
      description: 'Computed from the probe cache and the folders\' listings; files never scanned are not counted.',
      body: PreviewBody,
      response: { 200: PreviewSchema, ...errors(400, 404) },
    },
  }, async (req) => {
    const { database, settings, scanner, rules } = app.ctx;
    const base = req.body.rule_id ? await rules.get(req.body.rule_id) : null;
    const defaultPreset = settings.getString('transcription_preset') || 'fast';
    const draft = draftRule(req.body, base, defaultPreset);
    if (req.body.count === false) return { explanation: explainRuleAction(draft.conditions, draft.action, (k) => settings.get(k)), matches: 0, taken_by_other_rules: 0, already_queued: 0, files_checked: 0, sample: [] };
    return previewRule(draft, {
      db: database.db,
      get: (k) => settings.get(k),
      libraryPaths: settings.getList('library_paths').map((p) => p.trim()).filter(Boolean).map((p) => resolve(p)),
      mediaExtensions: scanner.service.mediaExtensions(),
      skip: scanner.service.skipSettings(),
      tag: settings.getString('subtitle_tag') || null,
      marker: settings.getString('scanner_ignore_marker'),
      rules: await rules.list(true),
    });
  });
};
