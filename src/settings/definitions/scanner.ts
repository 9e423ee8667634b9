import type { SettingDefinition } from '../settings.types.js';

export const scannerSettings = [
  { key: 'scanner_enabled', default: 'true', category: 'scanner', value_type: 'boolean', description: 'Library scanner on' },
  { key: 'scanner_cron', default: '0 2 * * *', category: 'scanner', value_type: 'string', description: 'Cron expression for scheduled scans (empty: use the interval)' },
  { key: 'scanner_schedule_interval_minutes', default: '360', category: 'scanner', value_type: 'integer', min: 1, max: 525600, description: 'Minutes between scheduled scans when no cron expression is set' },
  { key: 'watcher_enabled', default: 'false', category: 'scanner', value_type: 'boolean', description: 'Real-time file watcher' },
  { key: 'auto_scan_enabled', default: 'false', category: 'scanner', value_type: 'boolean', description: 'Scheduled scanning on (resumes after a restart)' },
  { key: 'scanner_probe_concurrency', default: '4', category: 'scanner', value_type: 'integer', min: 1, max: 64, description: 'ffprobe processes run in parallel during a scan' },
  { key: 'watcher_stable_seconds', default: '5', category: 'scanner', value_type: 'integer', min: 0, max: 3600, description: 'A new file is handled once its size has not changed for this many seconds' },
  { key: 'scanner_media_extensions', default: '.mkv,.mp4,.avi,.mov,.m4v,.wmv,.webm,.ts,.m2ts,.mpg,.mpeg,.flv,.mp3,.m4a,.flac,.wav,.ogg,.opus,.aac', category: 'scanner', value_type: 'list', description: 'File extensions the scanner considers media, comma-separated' },
  { key: 'scanner_recursive', default: 'true', category: 'scanner', value_type: 'boolean', description: 'Scans and the watcher include subfolders of the library paths' },
  { key: 'scanner_probe_timeout_seconds', default: '30', category: 'scanner', value_type: 'integer', min: 1, max: 3600, description: 'An ffprobe run that takes longer is stopped and the file reported as unreadable' },
  { key: 'scanner_probe_tool', default: 'auto', category: 'scanner', value_type: 'string', choices: ['auto', 'ffprobe'], description: 'auto: new files are read in this process (MediaInfo), with ffprobe for any file it cannot read or that looks odd; ffprobe: every new file is read by ffprobe (slower: one process per file)' },
  { key: 'watcher_use_polling', default: 'false', category: 'scanner', value_type: 'boolean', description: 'Watch by polling instead of file system events (network mounts such as NFS and SMB send no events)' },
  { key: 'scanner_ignore_marker', default: '.notranscribe', category: 'scanner', value_type: 'string', description: 'A file with this name in a folder excludes the folder and everything below it' },
] as const satisfies readonly SettingDefinition[];
