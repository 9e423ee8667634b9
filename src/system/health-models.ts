/**
 * The health note of an install whose models are still in the old `./models`
 * (the default model_path before it moved into the data folder): they are
 * found and used there, and this says how to move them so that a new
 * checkout, an upgrade into another folder or a container that keeps only
 * the data volume still has them.
 */
import { settingsModelFolder } from '../transcription/models.js';

/** The shape of a health check (health.service.ts `HealthCheck`; not imported, so this module needs nothing from the service). */
interface ModelFolderCheck {
  id: string;
  level: 'info';
  message: string;
  fix: string;
  link: string;
}

/** Quotes a path for a POSIX shell when it needs it. */
function sh(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

/** The check as system/health.service.ts runs it. */
export async function legacyModelFolder(d: { settings: Parameters<typeof settingsModelFolder>[0]; dataDir: string }): Promise<ModelFolderCheck[]> {
  const f = settingsModelFolder(d.settings, d.dataDir);
  if (f.source !== 'legacy') return [];
  return [
    {
      id: 'model_folder_legacy',
      level: 'info',
      message: `The models are read from ${f.dir}, the folder older versions kept them in, because ${f.dataDefault} (the model folder in the data folder) has none. A new checkout, an upgrade into another folder or a container that keeps only the data folder would not have them.`,
      fix: `Move them into the data folder: mkdir -p ${sh(f.dataDefault)} && mv ${sh(f.dir)}/*.bin ${sh(f.dataDefault)}/ (they are used from there at once). Or keep them where they are by setting the model folder (model_path) to ${f.dir}.`,
      link: '#/settings/model_path',
    },
  ];
}
