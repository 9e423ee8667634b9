import type { SettingDefinition } from '../settings.types.js';
import { listenHostProblem, proxyListProblem } from '../settings.values.js';

// The shipped browse_roots is already the narrow list (migration 004), so a
// broken value falls back to it as its safe value too.
const BROWSE_ROOTS = '/media,/mnt,/data,/srv,/home,~';

// failClosed marks the security settings (their weakening opens access): a
// broken stored value gives the safest value, never a weaker default
// (settings.stored.ts). definitions.test.ts lists them.

export const generalSettings = [
  { key: 'operation_mode', default: 'standalone', category: 'general', value_type: 'string', choices: ['standalone', 'provider', 'standalone,provider'], description: 'What this instance does: scan libraries (standalone), serve Bazarr and other clients (provider), or both' },
  { key: 'library_paths', default: '', failClosed: '', category: 'general', value_type: 'list', description: 'Library folders to scan, comma-separated' },
  { key: 'api_host', default: '0.0.0.0', category: 'general', value_type: 'string', format: listenHostProblem, description: 'Address the server listens on, read at start (the HOST variable or --host win over it; 0.0.0.0: every network interface, 127.0.0.1: this machine only)' },
  { key: 'api_port', default: '8000', category: 'general', value_type: 'integer', min: 1, max: 65535, description: 'Port the server listens on, read at start (the PORT variable or --port win over it)' },
  { key: 'debug', default: 'false', category: 'general', value_type: 'boolean', description: 'Debug logging' },
  { key: 'setup_completed', default: 'false', category: 'general', value_type: 'boolean', description: 'Whether the setup wizard has been completed or skipped' },
  { key: 'auth_enabled', default: 'true', failClosed: 'true', category: 'general', value_type: 'boolean', description: 'Require the API key (X-Api-Key header, apikey query or Bearer token) on every route except /health, the web UI files and the API documents' },
  { key: 'auth_exempt_local', default: 'true', failClosed: 'false', category: 'general', value_type: 'boolean', description: 'Requests from this machine need no API key: the connection comes from a loopback address, the Host header is a loopback name (or one in allowed_hosts), and a state-changing request is not cross-site' },
  { key: 'allowed_hosts', default: '', failClosed: '', category: 'general', value_type: 'list', description: 'Extra host names (besides localhost and loopback addresses) under which this machine reaches the server without a key, comma-separated (e.g. a name in /etc/hosts); any other Host header needs the API key' },
  { key: 'trust_proxy', default: '', failClosed: '', category: 'general', value_type: 'string', format: proxyListProblem, description: 'Reverse proxies whose X-Forwarded-For/-Host/-Proto headers are believed: empty (off, the default), "loopback" for a proxy on this machine, or addresses and CIDR ranges, comma-separated' },
  { key: 'api_key', default: '', category: 'general', value_type: 'secret', description: 'API key, generated on first start' },
  { key: 'public_url', default: '', category: 'general', value_type: 'string', description: 'The address other machines use to reach this server (e.g. http://nas.local:8000, or the reverse proxy URL): the provider URL for Bazarr is built from it. Empty: the address the browser used' },
  { key: 'browse_roots', default: BROWSE_ROOTS, failClosed: BROWSE_ROOTS, category: 'general', value_type: 'list', description: 'Folders the filesystem browser may show besides the library folders, comma-separated (~ is the home folder; /proc, /sys and /dev are never shown)' },
  { key: 'allowed_media_roots', default: '', failClosed: '', category: 'general', value_type: 'list', description: 'Folders outside library_paths whose media jobs, webhooks and provider requests may name, comma-separated (every other path answers 403)' },
] as const satisfies readonly SettingDefinition[];
