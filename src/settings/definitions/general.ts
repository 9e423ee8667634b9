import type { SettingDefinition } from '../settings.types.js';

export const generalSettings: SettingDefinition[] = [
  { key: 'operation_mode', default: 'standalone', category: 'general', value_type: 'string', choices: ['standalone', 'provider', 'standalone,provider'], description: 'What this instance does: scan libraries (standalone), serve Bazarr and other clients (provider), or both' },
  { key: 'library_paths', default: '', category: 'general', value_type: 'list', description: 'Library folders to scan, comma-separated' },
  { key: 'api_host', default: '0.0.0.0', category: 'general', value_type: 'string', description: 'Host the API server listens on (HOST or --host win over it)' },
  { key: 'api_port', default: '8000', category: 'general', value_type: 'integer', min: 1, max: 65535, description: 'Port the API server listens on (PORT or --port win over it)' },
  { key: 'debug', default: 'false', category: 'general', value_type: 'boolean', description: 'Debug logging' },
  { key: 'setup_completed', default: 'false', category: 'general', value_type: 'boolean', description: 'Whether the setup wizard has been completed or skipped' },
  { key: 'auth_enabled', default: 'true', category: 'general', value_type: 'boolean', description: 'Require the API key (X-Api-Key header or apikey query) on /api and provider routes' },
  { key: 'auth_exempt_local', default: 'true', category: 'general', value_type: 'boolean', description: 'Requests from this machine (loopback) need no API key' },
  { key: 'api_key', default: '', category: 'general', value_type: 'secret', description: 'API key, generated on first start' },
  { key: 'browse_roots', default: '/', category: 'general', value_type: 'list', description: 'Folders the filesystem browser may show, comma-separated (everything else answers 403)' },
];
