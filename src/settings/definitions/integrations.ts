import type { SettingDefinition } from '../settings.types.js';
import { QUALITY_PRESETS } from '../../quality-presets.js';

// Webhooks from media servers and *arr apps, media-server refresh, completion
// webhooks and the remote engine.
export const integrationSettings = [
  { key: 'webhooks_enabled', default: 'true', category: 'integrations', value_type: 'boolean', description: 'Accept webhooks from Plex, Jellyfin, Emby, Tautulli, Sonarr and Radarr at /webhooks/*' },
  { key: 'webhook_default_target_language', default: 'eng', category: 'integrations', value_type: 'string', description: 'Subtitle language of jobs queued by webhooks when no scan rule decides (ISO 639-2)' },
  { key: 'webhook_quality_preset', default: 'fast', category: 'integrations', value_type: 'string', choices: [...QUALITY_PRESETS], description: 'Quality preset of jobs queued by webhooks when no scan rule decides' },
  { key: 'webhook_job_priority', default: '10', category: 'integrations', value_type: 'integer', min: -10000, max: 10000, description: 'Queue priority of jobs queued by webhooks when no scan rule decides' },
  { key: 'webhook_max_files', default: '300', category: 'integrations', value_type: 'integer', min: 1, max: 100000, description: 'Most files one webhook may queue or judge; a payload naming more (a whole series, a folder) has the rest left out, counted in the answer and the log' },
  { key: 'play_queue_next_episodes', default: '0', category: 'integrations', value_type: 'integer', min: 0, max: 50, description: 'When playback of an episode starts (Plex, Jellyfin, Emby, Tautulli), also queue this many following episodes of its season, in order; 0: only the one playing' },
  { key: 'media_server_refresh_enabled', default: 'true', category: 'integrations', value_type: 'boolean', description: 'Ask the configured media servers to rescan a folder when a subtitle was written there' },
  { key: 'plex_url', default: '', category: 'integrations', value_type: 'string', description: 'Plex server URL (e.g. http://plex:32400); empty: no Plex refresh' },
  { key: 'plex_token', default: '', category: 'integrations', value_type: 'secret', description: 'Plex token (X-Plex-Token)' },
  { key: 'jellyfin_url', default: '', category: 'integrations', value_type: 'string', description: 'Jellyfin server URL (e.g. http://jellyfin:8096); empty: no Jellyfin refresh' },
  { key: 'jellyfin_api_key', default: '', category: 'integrations', value_type: 'secret', description: 'Jellyfin API key' },
  { key: 'emby_url', default: '', category: 'integrations', value_type: 'string', description: 'Emby server URL (e.g. http://emby:8096); empty: no Emby refresh' },
  { key: 'emby_api_key', default: '', category: 'integrations', value_type: 'secret', description: 'Emby API key' },
  { key: 'completion_webhook_url', default: '', category: 'integrations', value_type: 'string', description: 'URL that receives a JSON POST {file, subtitle, language, job_id, status} when a library job ends; empty: none' },
  { key: 'integration_request_timeout_seconds', default: '10', category: 'integrations', value_type: 'integer', min: 1, max: 300, description: 'Timeout of refresh and completion-webhook requests' },
  { key: 'engine_backend', default: 'local', category: 'integrations', value_type: 'string', choices: ['local', 'remote_asr', 'remote_openai'], description: 'Where Whisper runs: local whisper.cpp, a remote whisper-asr-webservice (/asr), or a remote OpenAI-compatible server (/v1/audio/transcriptions)' },
  { key: 'remote_engine_url', default: '', category: 'integrations', value_type: 'string', description: 'Base URL of the remote engine (e.g. http://gpu-box:9000)' },
  { key: 'remote_engine_api_key', default: '', category: 'integrations', value_type: 'secret', description: 'API key of the remote engine (sent as Authorization: Bearer and X-Api-Key)' },
  { key: 'remote_engine_model', default: 'whisper-1', category: 'integrations', value_type: 'string', description: 'Model name sent to an OpenAI-compatible remote engine' },
  { key: 'remote_engine_timeout_seconds', default: '3600', category: 'integrations', value_type: 'integer', min: 1, max: 86400, description: 'Longest a remote engine request may take' },
  { key: 'remote_engine_retries', default: '2', category: 'integrations', value_type: 'integer', min: 0, max: 10, description: 'Retries (with back-off) of a failed remote engine request' },
] as const satisfies readonly SettingDefinition[];
