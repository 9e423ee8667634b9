/**
 * A regional variant of the target (Bazarr's pt-BR) reaches the translation
 * provider in the provider's own spelling of it (LibreTranslate's `pb`), on
 * the real engine with the generated model and a LibreTranslate-shaped server
 * on this machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { transcribeMedia, withLocalEngine, type TranscribeMediaOptions } from '../../src/transcription/index.js';
import { engineSkip, minimalModel, tempDir } from './helpers.js';
import { JFK } from '../fixtures-gen/engine-media.js';

const skip = engineSkip();

test('a pt-BR target is translated to LibreTranslate\'s pb, not plain Portuguese', { skip, timeout: 120_000 }, async (t) => {
  const targets: string[] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      const body = JSON.parse(data || '{}') as { q: string[]; target: string };
      targets.push(body.target);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ translatedText: body.q.map((q) => `pt: ${q}`) }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const dir = tempDir(t);
  const media = join(dir, 'Speech.wav');
  copyFileSync(JFK, media);
  const model = await minimalModel();
  const o: TranscribeMediaOptions = {
    model, modelDir: dirname(model), threads: 2, vad: false, writeOutput: false,
    sourceLang: 'eng', targetLang: 'por', targetVariant: 'pt-BR',
    translation: { provider: 'libretranslate', url, batchSize: 40 },
  };
  const r = await withLocalEngine(o, (engine) => transcribeMedia(media, o, { engine }));
  if (!r.segments.length) return t.skip('the random model wrote nothing to translate this time');
  assert.ok(targets.length > 0, 'the provider was asked');
  assert.deepEqual([...new Set(targets)], ['pb']);
  assert.ok(r.segments.every((s) => s.text.startsWith('pt:')));
});
