/**
 * Compile-time check that setting keys are typed: `npm run typecheck` (and
 * the build) fail if a misspelt key ever compiles or a value loses its type.
 * Nothing here runs.
 */
import type { SettingsService } from './settings.service.js';

export function settingKeysAreTyped(settings: SettingsService): void {
  const workers: number = settings.get('worker_cpu_count');
  const on: boolean = settings.get('auth_enabled');
  const roots: string[] = settings.get('library_paths');
  const model: string = settings.get('whisper_model');
  // @ts-expect-error an unknown key does not compile
  settings.get('whisper_modle');
  // @ts-expect-error nor through the string helpers
  settings.getString('no_such_setting');
  void [workers, on, roots, model];
}
