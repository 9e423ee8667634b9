/**
 * `transcriptorio sync Movie.mkv Movie.en.srt [--reference other.srt] [--dry-run]`:
 * the subtitle synchronised to the film's speech (or to another subtitle),
 * with the same aligner and quality gate as the server (src/sync/). No server
 * is needed; run inside an installed instance it uses that instance's sync
 * settings and models. A subtitle in sync, or a plan the gate refuses, is left
 * byte for byte; a fix keeps the original under DATA_DIR/sync-backups and
 * prints where. Exit code 0 when the subtitle is in sync, fixed, or refused
 * (a refusal is an answer, not an error: the reason is printed); 1 on an
 * error (a file that cannot be read, no audio). Suits Bazarr's custom
 * post-processing (docs/SYNC.md).
 */
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { toolPathsFromEnv } from '../config.js';
import { normalizeLanguage } from '../languages.js';
import { vadModelFile } from '../transcription/engine.js';
import { applyPlan, describePlan, planSync } from '../sync/index.js';
import { mediaSpeech } from '../sync/speech.js';
import { isSyncFormat, parseTimed, type SyncFormat } from '../sync/subtitle-times.js';
import { readSubtitle, writeFix } from '../sync/sync.service.js';
import { definitionByKey } from '../settings/definitions/index.js';
import { configFrom, withDatabaseOptions } from './common.js';
import { readInstanceSettings } from './instance.js';
import { progressDisplay } from './progress-display.js';

interface Flags {
  reference?: string;
  dryRun?: boolean;
  audioLang?: string;
  json?: boolean;
  /** false with --no-instance */
  instance?: boolean;
  databaseUrl?: string;
  dataDir?: string;
}

function formatOf(path: string): SyncFormat {
  const ext = extname(path).slice(1).toLowerCase();
  if (isSyncFormat(ext)) return ext;
  throw new Error(`${path}: only .srt, .vtt, .ass and .ssa subtitles can be synced`);
}

export function register(program: Command): void {
  withDatabaseOptions(
    program
      .command('sync <media> <subtitle>')
      .description("Sync a subtitle to the film's speech (or to another subtitle): the fix is written only when it clearly helps, the original kept")
      .option('-r, --reference <subtitle>', 'sync to this subtitle instead of the audio (any language)')
      .option('-n, --dry-run', 'print the plan, write nothing')
      .option('-a, --audio-lang <lang>', 'the audio track to listen to (default: the default track)')
      .option('--json', 'print the result as JSON')
      .option('--no-instance', 'ignore the settings of the instance in DATA_DIR: the defaults only'),
  ).action(async (media: string, subtitle: string, f: Flags) => {
    const config = configFrom({ databaseUrl: f.databaseUrl, dataDir: f.dataDir });
    const instance = f.instance === false ? null : await readInstanceSettings(config);
    const get = (key: string) => String(instance?.get(key as never) ?? definitionByKey.get(key)?.default ?? '');
    const subPath = resolve(subtitle);
    const sub = parseTimed(await readSubtitle(subPath), formatOf(subPath), subtitle);
    const audioLang = f.audioLang ? normalizeLanguage(f.audioLang) : null;
    if (f.audioLang && !audioLang) throw new Error(`unknown language ${f.audioLang}`);

    let reference;
    let duration: number | undefined;
    if (f.reference) {
      const refPath = resolve(f.reference);
      reference = parseTimed(await readSubtitle(refPath), formatOf(refPath), f.reference).cues;
    } else {
      const tools = toolPathsFromEnv(process.env);
      const modelDir = tools.modelPath ?? get('model_path');
      const vad = vadModelFile({ vad: true, vadModelPath: get('vad_model') || undefined, modelDir });
      if (!vad) throw new Error('no speech detection model: set vad_model');
      mkdirSync(config.dataDir, { recursive: true });
      const tmp = await mkdtemp(join(config.dataDir, 'sync-cli-'));
      const display = progressDisplay();
      const progress = display.start(media);
      try {
        const heard = await mediaSpeech(resolve(media), {
          vadModelPath: vad, audioLanguages: audioLang ? [audioLang] : [], tools, whisperDir: tools.whisperDir, tmpRoot: tmp,
          onProgress: (p) => progress.update(p, p < 50 ? 'extracting_audio' : 'detecting_speech', null),
        });
        progress.done(`${heard.spans.length} speech spans in ${Math.round(heard.duration)} s of audio`);
        reference = heard.spans;
        duration = heard.duration;
      } finally {
        display.stop();
        await rm(tmp, { recursive: true, force: true });
      }
    }
    const settings = {
      maxOffsetSeconds: Number(get('sync_max_offset_seconds')),
      splitPenalty: Number(get('sync_split_penalty')),
      minGain: Number(get('sync_min_gain')),
      minBlockSpeechSeconds: Number(get('sync_min_block_speech_seconds')),
    };
    const plan = planSync(sub.cues, reference, settings, { mediaDuration: duration });
    const summary = describePlan(plan);
    let backup: string | null = null;
    if (plan.verdict === 'fix' && !f.dryRun) {
      backup = (await writeFix(subPath, sub, Buffer.from(sub.text, 'latin1'), applyPlan(sub.cues, plan), join(config.dataDir, 'sync-backups'))).backup;
    }
    if (f.json) {
      process.stdout.write(`${JSON.stringify({ subtitle: subPath, verdict: plan.verdict, refusal: plan.refusal, summary, ratio: plan.ratio, offset_seconds: plan.offset, blocks: plan.blocks, score_before: plan.scoreBefore, score_after: plan.scoreAfter, written: backup !== null, backup })}\n`);
      return;
    }
    const pct = (x: number) => `${Math.round(x * 100)} %`;
    process.stdout.write(`${subtitle}: ${summary} (cue time over speech ${pct(plan.scoreBefore)}${plan.verdict === 'fix' ? ` → ${pct(plan.scoreAfter)}` : ''})\n`);
    if (backup) process.stdout.write(`Written. The original is kept at ${backup}\n`);
    else if (plan.verdict === 'fix') process.stdout.write('Dry run: nothing written.\n');
    else process.stdout.write('Nothing written.\n');
  });
}
