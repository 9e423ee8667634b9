/**
 * How the Settings page shows each setting: a label and a line of help a
 * person can act on, the section it belongs to (sections in the order a
 * newcomer needs them: model and quality first), its place in the section,
 * and whether it is advanced (hidden until "Show advanced") or internal
 * state the page does not offer as a field at all. The definitions
 * (definitions/*.ts) stay the source of keys, types and defaults; this file
 * only presents them, and presentation.test.ts names every defined key that
 * has no entry here.
 */
import { definitionByKey, type SettingKey } from './definitions/index.js';
import type { SettingCategory } from './settings.types.js';

export const SETTING_SECTIONS = [
  { id: 'model', title: 'Model and quality', description: 'Which Whisper model transcribes, how hard it tries, and speech detection.' },
  { id: 'library', title: 'Library and scanning', description: 'The folders to scan, when scans run, and which files count as media.' },
  { id: 'languages', title: 'Languages and translation', description: 'How the audio language is found, and the translation provider for targets Whisper cannot make itself.' },
  { id: 'subtitles', title: 'Subtitle files', description: 'Format, file names and how cues are laid out.' },
  { id: 'quality', title: 'Quality checks and review', description: 'How each subtitle is scored, when a person should look at it, and how bad passages are decoded again.' },
  { id: 'skip', title: 'When to skip a file', description: 'Files that already have what a rule would make are left alone.' },
  { id: 'workers', title: 'Workers and jobs', description: 'How many transcriptions run, on which device, and how failed jobs are retried.' },
  { id: 'provider', title: 'Bazarr and other clients', description: 'This server as a Whisper provider for Bazarr and whisper-asr-webservice or OpenAI clients.' },
  { id: 'integrations', title: 'Media servers and webhooks', description: 'Refresh Plex, Jellyfin or Emby after a subtitle is written; accept webhooks from the *arr apps.' },
  { id: 'remote', title: 'Remote engine', description: 'Send the audio to another Whisper server instead of running it here.' },
  { id: 'server', title: 'Server and security', description: 'Listen address, API key and the folders the browser may show.' },
  { id: 'paths', title: 'Path mappings', description: 'For several machines that see the library under different paths.' },
] as const;

type SettingSectionId = (typeof SETTING_SECTIONS)[number]['id'];

export interface SettingPresentation {
  label: string;
  help: string;
  section: SettingSectionId;
  /** position inside the section */
  order: number;
  /** shown only with "Show advanced" */
  advanced: boolean;
  /** internal state: not offered as a field (changed by the action named in help) */
  hidden: boolean;
  /** a change with consequences elsewhere: the page asks with this text before the field can be edited */
  confirm: string | null;
}

/** Settings whose change breaks something outside this server until it is told: the page asks first. */
const CONFIRM: Partial<Record<SettingKey, string>> = {
  api_key: 'A new API key locks out every other node, script and client that uses the old one until each is given the new key. Replace it?',
  bazarr_api_key: 'Bazarr stops getting subtitles until it is given the new Endpoint (the setup wizard shows it). Replace the provider key?',
};

type Entry = [key: SettingKey, label: string, help: string, flags?: 'advanced' | 'hidden'];

const A = 'advanced' as const;

const ENTRIES: Record<SettingSectionId, Entry[]> = {
  model: [
    ['whisper_model', 'Whisper model', 'The model every job uses: a name from the Models page (small, medium, large-v3-turbo…) or the full path of a ggml file. Bigger is more accurate and slower.'],
    ['transcription_preset', 'Default quality', 'Quality of library jobs and rules that do not choose one: fast (greedy), balanced (beam search) or best (more candidates, more language checks).'],
    ['provider_quality_preset', 'Quality for Bazarr and clients', 'Quality of requests from Bazarr and other clients.'],
    ['model_path', 'Model folder', 'Where model files are kept and downloaded to; empty: the models folder inside the data folder (DATA_DIR/models), which moves with the database. A ggml file copied here is found without a download.'],
    ['model_auto_download', 'Download missing models', 'When a job needs a model that is not in the model folder, download it first (needs internet).'],
    ['vad_enabled', 'Speech detection', 'Transcribe only where someone speaks: no subtitles over music or silence. The Silero model it uses ships with TranscriptorIO.'],
    ['suppress_non_speech_phrases', 'Drop made-up lines', 'Remove lines Whisper tends to invent ("Thanks for watching!", "Subtitles by…") and repeated lines.'],
    ['whisper_initial_prompt', 'Vocabulary hint', 'Names, spellings or style for the model to follow, e.g. the characters of a show.', A],
    ['preset_fast_model', 'Model of “fast”', 'A model for the fast quality only; empty: the Whisper model above.', A],
    ['preset_balanced_model', 'Model of “balanced”', 'A model for the balanced quality only; empty: the Whisper model above.', A],
    ['preset_best_model', 'Model of “best”', 'A model for the best quality only; empty: the Whisper model above.', A],
    ['preset_fast_beam_size', 'Beam size of “fast”', 'Candidates kept while decoding with the fast quality (1: greedy, quickest).', A],
    ['preset_balanced_beam_size', 'Beam size of “balanced”', 'Candidates kept while decoding with the balanced quality.', A],
    ['preset_best_beam_size', 'Beam size of “best”', 'Candidates kept while decoding with the best quality.', A],
    ['whisper_best_of', 'Samples per retry', 'Candidates drawn when a window is decoded again at a higher temperature.', A],
    ['whisper_temperature', 'Temperature', 'Randomness of the first decoding pass; 0 is the most literal.', A],
    ['whisper_temperature_fallback', 'Retry unclear passages', 'Decode a window again, less literally, when the first try repeats itself or is unsure.', A],
    ['whisper_word_timestamps', 'Word timings', 'Time each word, so lines break at pauses.', A],
    ['cpu_compute_type', 'CPU precision', 'auto uses the model as named; int8 prefers its smaller, faster q8_0 file.', A],
    ['gpu_compute_type', 'GPU precision', 'auto and float16 use the normal file; int8 variants prefer the q8_0 file.', A],
    ['vad_model', 'Speech detection model', 'The Silero model for speech detection; the shipped silero-v6.2.0 is used unless the model folder has another copy.', A],
    ['vad_threshold', 'Speech sensitivity', 'How sure speech detection must be that someone speaks (lower catches quiet speech, higher skips noise).', A],
    ['model_download_base_url', 'Model download address', 'Where models are downloaded from; change it for a mirror.', A],
    ['transcribe_or_translate', 'Default task (informational)', 'Kept for older setups: the task really follows each rule’s target (English from other audio is translated by Whisper).', A],
  ],
  library: [
    ['library_paths', 'Library folders', 'The folders with your movies and shows; their sub-folders are scanned too.'],
    ['auto_scan_enabled', 'Scan on a schedule', 'Scan the library regularly for files that need subtitles.'],
    ['scanner_schedule_interval_minutes', 'Minutes between scans', 'How often the scheduled scan runs, when no cron expression is set.'],
    ['scanner_cron', 'Scan schedule (cron)', 'A cron expression such as "0 2 * * *" (every night at 2:00); empty: use the minutes above.'],
    ['watcher_enabled', 'Watch for new files', 'Handle new files as soon as they arrive, without waiting for the next scan.'],
    ['scanner_enabled', 'Scanner on', 'Turn the library scanner off to use only Bazarr, webhooks and manual jobs.'],
    ['scanner_recursive', 'Include sub-folders', 'Scan and watch the folders below the library folders too.'],
    ['scanner_ignore_marker', 'Ignore marker file', 'A file with this name in a folder leaves that folder and everything below it alone.'],
    ['scanner_media_extensions', 'Media file types', 'File extensions treated as media, comma-separated.', A],
    ['scanner_probe_concurrency', 'Files examined at once', 'ffprobe runs in parallel during a scan; lower it on a slow network share.', A],
    ['scanner_probe_tool', 'How new files are read', 'auto reads them in this process (about ten times faster, fewer reads on a NAS) and hands anything odd to ffprobe; ffprobe reads every file with ffprobe.', A],
    ['scanner_probe_timeout_seconds', 'Time limit per file', 'A file that ffprobe cannot read in this many seconds is reported as unreadable.', A],
    ['watcher_stable_seconds', 'Wait for copies to finish', 'A new file is handled once its size has not changed for this many seconds.', A],
    ['watcher_use_polling', 'Watch by polling', 'Check folders regularly instead of waiting for file events: needed for NFS and SMB shares.', A],
  ],
  languages: [
    ['use_track_language', 'Trust audio track languages', 'When an audio track is tagged with a language, use it instead of detecting the language.'],
    ['preferred_audio_languages', 'Preferred audio languages', 'Which audio track to transcribe when a file has several, in order (e.g. jpn|eng).'],
    ['translation_provider', 'Translation provider', 'Needed for subtitles in a language that is neither the audio’s nor English (Whisper makes English itself). Empty: such jobs fail.'],
    ['translation_url', 'Translation address', 'The LibreTranslate address, the DeepL API address, or the OpenAI-compatible base URL.'],
    ['translation_api_key', 'Translation API key', 'The key of the translation provider, when it needs one.'],
    ['translation_model', 'Translation model', 'The chat model used by an OpenAI-compatible provider.'],
    ['force_detected_language_to', 'Always assume this audio language', 'Skip language detection and treat all audio as this language (ISO 639-2, e.g. jpn).', A],
    ['detect_language_length', 'Detection sample length', 'Seconds of speech listened to per language check.', A],
    ['detect_language_offset', 'Detection start', 'Seconds into the audio where language detection starts (skip intros).', A],
    ['detect_language_windows', 'Detection samples', 'How many samples vote on the language (the best quality uses at least 5).', A],
    ['translation_batch_size', 'Lines per translation request', 'Subtitle lines sent to the provider in one request.', A],
    ['translation_timeout_seconds', 'Translation time limit', 'Longest wait for one translation request before it is tried again.', A],
  ],
  subtitles: [
    ['subtitle_format', 'Subtitle format', 'The file format written next to the video.'],
    ['subtitle_language_naming_type', 'Language in file names', 'How the language is written in the file name, e.g. Movie.spa.srt or Movie.es.srt.'],
    ['subtitle_tag', 'File name tag', 'A word placed before the language, e.g. "ai" gives Movie.ai.spa.srt.'],
    ['subtitle_max_line_chars', 'Characters per line', 'Longest line of a subtitle.'],
    ['subtitle_max_lines', 'Lines per subtitle', 'Most lines shown at once.'],
    ['lrc_for_audio_files', 'Lyrics files for music', 'Write .lrc lyrics for audio-only files.'],
    ['subtitle_language_name', 'Custom language label', 'Written in file names instead of the language code, when set.', A],
    ['subtitle_min_duration', 'Shortest subtitle (s)', 'Each subtitle stays at least this long where the next one allows.', A],
    ['subtitle_max_duration', 'Longest subtitle (s)', 'A subtitle is split when it would stay longer.', A],
    ['subtitle_max_cps', 'Reading speed', 'Most characters per second, where timing allows.', A],
    ['word_level_highlight', 'Karaoke highlighting', 'Highlight each word as it is spoken (ASS format only).', A],
    ['custom_regroup', 'Line grouping recipe', 'Kept for older setups: "sl=N" sets the line length, empty or "off" turns regrouping off.', A],
  ],
  quality: [
    ['quality_review_threshold', 'Review below score', 'Subtitles scoring under this (0-100) wait in “Needs review” and are not sent to Bazarr until you accept them. 0 turns the review off.'],
    ['quality_retry_enabled', 'Decode bad passages again', 'Passages with low confidence, loops or text over silence are decoded once more, more carefully, and the better result is kept.'],
    ['quality_retry_model', 'Model for the second try', 'An installed model (e.g. a larger one) for passages decoded again; empty: the job’s own model.'],
    ['quality_block_bazarr_sync', 'Hold back from Bazarr', 'Subtitles that need review are not uploaded to Bazarr until accepted.'],
    ['subtitle_retime', 'Fix reading speed', 'Lengthen subtitles that are too fast to read or too short, into the pause after them. Starts never move.'],
    ['quality_retry_budget', 'Time for second tries', 'Most time spent decoding passages again, as a share of the first pass (0.25: a quarter).', A],
    ['quality_min_avg_logprob', 'Lowest confidence', 'Passages whose average log-probability is under this count as unsure.', A],
    ['quality_max_no_speech_prob', 'Highest no-speech probability', 'Passages more likely than this to be silence count as not speech.', A],
    ['quality_max_compression_ratio', 'Loop detection', 'Text that compresses better than this ratio repeats itself.', A],
    ['quality_max_repeated_line_ratio', 'Repeated lines allowed', 'Share of subtitles that may repeat an earlier line.', A],
    ['quality_max_silence_share', 'Text over silence', 'A subtitle with more than this share of its time outside speech is flagged.', A],
    ['quality_max_overrun_seconds', 'Overrun past the end (s)', 'How far the last subtitle may end past the end of the video.', A],
    ['subtitle_min_gap', 'Gap between subtitles (s)', 'Shortest pause kept before the next subtitle when one is lengthened.', A],
    ['sync_check_enabled', 'Check subtitles are in sync', 'Measure text subtitles against the audio in the background and mark those that are early, late or made for another cut. Nothing is changed until you choose Sync to audio.'],
    ['sync_check_interval_minutes', 'Sync check every (min)', 'Minutes between two rounds of the background sync check.', A],
    ['sync_check_per_round', 'Files per sync check', 'Most files whose subtitles one round measures.', A],
    ['sync_check_listen_per_round', 'Files listened to per check', 'Of those, most files whose speech must first be detected (files already transcribed cost nothing). 0: only those.', A],
    ['sync_max_offset_seconds', 'Largest sync shift (s)', 'Sync to audio looks this far either way; a best shift at the limit is refused.', A],
    ['sync_min_gain', 'Least sync improvement', 'A sync is written only when it puts at least this much more of the subtitle over speech (0.05: 5 %).', A],
    ['sync_split_penalty', 'Cost of a split (s)', 'How much better a split must match before a part of the subtitle moves on its own (after an ad break).', A],
    ['sync_min_block_speech_seconds', 'Speech per split part (s)', 'Each part of a split sync must lie over at least this much speech.', A],
  ],
  skip: [
    ['skip_if_target_subtitles_exist', 'Skip when the subtitle exists', 'Leave a file alone when it already has a subtitle in the target language (beside it or inside it).'],
    ['skip_if_external_subtitles_exist', 'Skip when any subtitle file exists', 'Leave a file alone when any subtitle file lies beside it, whatever its language.'],
    ['skip_forced_subtitles', 'Forced subtitles do not count', 'Forced tracks (signs and songs only) do not count as having the language.'],
    ['skip_unknown_language', 'Skip unknown audio language', 'Leave files alone whose audio language is not tagged and cannot be assumed.'],
    ['skip_if_internal_subtitles_language', 'Skip when embedded in', 'Leave a file alone when it has an embedded subtitle in this language.'],
    ['skip_subtitle_languages', 'Skip when subtitles in', 'Languages (separated by |) whose subtitles make a file be left alone.'],
    ['skip_if_audio_languages', 'Skip audio in', 'Languages (separated by |): files with an audio track in one of them are left alone.'],
    ['skip_only_subgen_subtitles', 'Only count own subtitles', 'Only subtitles made by TranscriptorIO count when deciding to skip; others are ignored.', A],
  ],
  workers: [
    ['worker_cpu_count', 'CPU workers', 'Transcriptions running on the processor, started with the server. Changes apply at once.'],
    ['worker_gpu_count', 'GPU workers', 'Transcriptions on NVIDIA GPUs, one per card, started with the server.'],
    ['whisper_threads', 'Threads per transcription', 'Processor threads each CPU transcription uses.'],
    ['concurrent_transcriptions', 'Transcriptions at once', 'Most transcriptions running at the same time on this machine.'],
    ['job_max_retries', 'Retries of a failed job', 'How many more times a job that failed for a passing reason (a crash) is tried.'],
    ['transcribe_device', 'Default device', 'Where jobs run when no worker type decides (gpu means cuda).', A],
    ['gpu_device_index', 'Default GPU', 'The GPU number used when a worker is not given one.', A],
    ['job_retry_backoff_seconds', 'Wait before a retry', 'Seconds before a failed job runs again; doubles with each retry.', A],
    ['model_idle_unload_seconds', 'Free memory when idle', 'A worker unloads its model after this many idle seconds.', A],
    ['clear_vram_on_complete', 'Free GPU memory after a job', 'A GPU worker gives its memory back when no other job waits.', A],
    ['worker_auto_restart', 'Restart crashed workers', 'Start a worker again when it crashes.', A],
    ['worker_healthcheck_interval', 'Health check interval', 'Seconds between checks that workers are alive.', A],
    ['worker_heartbeat_seconds', 'Heartbeat interval', 'Seconds between a worker’s signs of life.', A],
    ['job_lease_seconds', 'Job lease', 'A job whose worker gives no sign of life for this long is taken over by another worker.', A],
    ['stale_worker_remove_seconds', 'Remove silent workers after', 'Workers of a machine that stopped answering are removed from the list after this many seconds.', A],
    ['shutdown_timeout_seconds', 'Grace period on shutdown', 'Running jobs may finish for this long when the server stops; the rest go back to the queue.', A],
  ],
  provider: [
    ['bazarr_provider_enabled', 'Provider for Bazarr', 'Answer Bazarr’s Whisper provider and whisper-asr-webservice clients. The setup wizard gives the Endpoint to paste into Bazarr.'],
    ['public_url', 'Public address', 'How Bazarr and other machines reach this server, e.g. http://nas.local:8000 (not localhost when Bazarr runs in a container).'],
    ['provider_timeout_seconds', 'Provider time limit', 'Longest a request from Bazarr waits for its subtitle (Bazarr itself waits 3600 s); a longer job keeps running and its result is served when Bazarr asks again.'],
    ['bazarr_api_key', 'Provider key', 'The key inside Bazarr’s Endpoint URL. Make a new one in the setup wizard (Bazarr provider); Bazarr then needs the new URL.'],
    ['provider_job_priority', 'Provider priority', 'Queue priority of Bazarr’s requests (higher runs first; library jobs use their rules’ priorities).', A],
    ['provider_result_ttl_minutes', 'Keep results for', 'Minutes a finished result is kept to answer the same request again.', A],
    ['provider_cleanup_interval_minutes', 'Clean-up interval', 'How often old uploads and provider jobs are removed.', A],
    ['provider_max_upload_mb', 'Largest provider upload (MiB)', 'Requests from Bazarr and other clients with more audio than this are refused before anything is stored; 350 MiB holds a 3-hour film as 16 kHz mono PCM.', A],
    ['provider_compress_uploads', 'Compress uploaded audio', 'Keep uploaded PCM audio losslessly as FLAC in the database until a worker runs it (about a third fewer bytes).', A],
    ['bazarr_url', 'Bazarr address', 'Bazarr’s address for the Wanted sync, e.g. http://bazarr:6767; empty: no sync.'],
    ['bazarr_sync_api_key', 'Bazarr API key', 'Bazarr’s own API key (in Bazarr: Settings → General → Security), used to read its Wanted list and upload subtitles.'],
    ['bazarr_sync_languages', 'Languages to fill', 'Only these languages from Bazarr’s Wanted list, comma-separated; empty: every language this server can make.'],
    ['bazarr_sync_tags', 'Bazarr tags to sync', 'Only series and movies with one of these Bazarr tags; empty: all.', A],
    ['bazarr_sync_interval_minutes', 'Wanted sync interval', 'Minutes between automatic syncs of Bazarr’s Wanted list; 0: only with Sync now.'],
  ],
  integrations: [
    ['media_server_refresh_enabled', 'Refresh media servers', 'Ask Plex, Jellyfin or Emby to rescan a folder after a subtitle is written there.'],
    ['plex_url', 'Plex address', 'e.g. http://plex:32400; empty: Plex is not refreshed.'],
    ['plex_token', 'Plex token', 'Your X-Plex-Token.'],
    ['jellyfin_url', 'Jellyfin address', 'e.g. http://jellyfin:8096; empty: Jellyfin is not refreshed.'],
    ['jellyfin_api_key', 'Jellyfin API key', 'Made in Jellyfin’s dashboard under API keys.'],
    ['emby_url', 'Emby address', 'e.g. http://emby:8096; empty: Emby is not refreshed.'],
    ['emby_api_key', 'Emby API key', 'Made in Emby’s settings under API keys.'],
    ['webhooks_enabled', 'Accept webhooks', 'Queue new files announced by Plex, Jellyfin, Emby, Tautulli, Sonarr and Radarr.'],
    ['webhook_default_target_language', 'Webhook subtitle language', 'The language of subtitles for announced files that no rule matches.'],
    ['webhook_quality_preset', 'Webhook quality', 'Quality of jobs for announced files that no rule matches.'],
    ['completion_webhook_url', 'Notify when done', 'An address that receives a JSON message when a library job ends; empty: none.'],
    ['webhook_job_priority', 'Webhook priority', 'Queue priority of jobs for announced files that no rule matches.', A],
    ['webhook_max_files', 'Most files per webhook', 'One webhook queues or judges at most this many files; the rest are left out and counted in the answer and the log (scan the library for them).', A],
    ['play_queue_next_episodes', 'Queue next episodes on play', 'When someone starts an episode, also queue this many following episodes of its season, in order; 0: only the one playing.'],
    ['integration_request_timeout_seconds', 'Time limit of notifications', 'Longest a refresh or notification request may take.', A],
  ],
  remote: [
    ['engine_backend', 'Where Whisper runs', 'Here (whisper.cpp), or on another server that speaks whisper-asr-webservice or the OpenAI API.'],
    ['remote_engine_url', 'Remote engine address', 'e.g. http://gpu-box:9000.'],
    ['remote_engine_api_key', 'Remote engine API key', 'Sent to the remote engine with each request.'],
    ['remote_engine_model', 'Remote model', 'The model name asked of an OpenAI-compatible server.'],
    ['remote_engine_timeout_seconds', 'Remote time limit', 'Longest one remote request may take.', A],
    ['remote_engine_retries', 'Remote retries', 'Tries again after a failed remote request, waiting longer each time.', A],
  ],
  server: [
    ['auth_enabled', 'Require the API key', 'Every request needs the API key, except the web UI’s files, /health and the API documents.'],
    ['auth_exempt_local', 'No key from this machine', 'Requests from the server itself (localhost) need no key.'],
    ['api_key', 'API key', 'What other machines and scripts send to use the API. Show and copy it here.'],
    ['api_host', 'Listen address', '0.0.0.0: every network interface; 127.0.0.1: this machine only. Read at start; HOST or --host win.'],
    ['api_port', 'Port', 'The port of the web UI and API. Read at start; PORT or --port win.'],
    ['allowed_media_roots', 'Other media folders', 'Folders outside the library whose files jobs, webhooks and Bazarr may name.'],
    ['browse_roots', 'Browsable folders', 'Folders the folder picker may show besides the library folders (~ is the home folder).', A],
    ['allowed_hosts', 'Local host names', 'Extra names of this machine under which it is reached without a key.', A],
    ['trust_proxy', 'Trusted reverse proxies', 'Proxies whose forwarded headers are believed: empty (none), "loopback", or addresses.', A],
    ['operation_mode', 'Mode', 'Scan libraries (standalone), serve Bazarr (provider), or both; the setup wizard sets it.', A],
    ['debug', 'Debug logging', 'Write detailed logs for troubleshooting.', A],
    ['setup_completed', 'Setup done', 'Whether the setup wizard ran; open Setup to run it again.', 'hidden'],
  ],
  paths: [
    ['path_mappings', 'Path mappings', 'Pairs like {"from": "/tv", "to": "/mnt/tv"} for machines that see the library under another path.', A],
    ['use_path_mapping', 'Use the single mapping', 'Also apply the one pair below (kept for older setups).', A],
    ['path_mapping_from', 'Single mapping: from', 'The path prefix as the other machine sees it.', A],
    ['path_mapping_to', 'Single mapping: to', 'The same folder as this machine sees it.', A],
  ],
};

/** Where a setting without an entry goes: the section closest to its category. */
const CATEGORY_SECTION: Record<SettingCategory, SettingSectionId> = {
  general: 'server',
  workers: 'workers',
  transcription: 'model',
  subtitles: 'subtitles',
  quality: 'quality',
  skip: 'skip',
  scanner: 'library',
  bazarr: 'provider',
  advanced: 'paths',
  integrations: 'integrations',
};

export const SETTING_PRESENTATION: ReadonlyMap<string, SettingPresentation> = new Map(
  Object.entries(ENTRIES).flatMap(([section, entries]) =>
    entries.map(([key, label, help, flag], order): [string, SettingPresentation] => [
      key,
      { label, help, section: section as SettingSectionId, order, advanced: flag === 'advanced', hidden: flag === 'hidden', confirm: CONFIRM[key] ?? null },
    ]),
  ),
);

const humanKey = (k: string) => k.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

/** A setting's presentation; one without an entry (a new or user-created key) is shown by its key in its category's section. */
export function presentationOf(key: string, category?: string, description?: string | null): SettingPresentation {
  const known = SETTING_PRESENTATION.get(key);
  if (known) return known;
  const cat = (category ?? definitionByKey.get(key)?.category ?? 'general') as SettingCategory;
  return {
    label: humanKey(key),
    help: description ?? definitionByKey.get(key)?.description ?? '',
    section: CATEGORY_SECTION[cat] ?? 'server',
    order: 1000,
    advanced: false,
    hidden: false,
    confirm: null,
  };
}
