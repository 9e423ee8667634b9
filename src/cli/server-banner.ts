/**
 * What `transcriptorio server` tells a person once it listens: where the UI
 * and the API documents are, where the API key is (the key itself only on the
 * start that generated it), where the models and the logs are, and on a first
 * run that setup is finished in the browser. On a terminal it is a block of
 * plain lines; in JSON log mode it is one log line with the same facts as
 * fields.
 */
import type { RunningServer } from '../server/server.js';
import type { LogFormat } from '../logger.js';
import { settingsModelFolder } from '../transcription/models.js';

/** The URL a person on this machine opens: loopback and "every address" read as localhost. */
function displayUrl(serverUrl: string): string {
  const u = new URL(serverUrl);
  if (['127.0.0.1', '[::1]', '0.0.0.0', '[::]'].includes(u.hostname)) u.hostname = 'localhost';
  return u.origin;
}

interface BannerFacts {
  url: string;
  docs: string;
  redoc: string;
  /** where the key is, never the key (except `generatedKey` on the first start) */
  keyLocation: string;
  generatedKey: string | null;
  authEnabled: boolean;
  logFile: string;
  /** the model folder as an absolute path, and whether it is the old ./models the health note is about */
  modelDir: string;
  legacyModelDir: boolean;
  setupRequired: boolean;
}

function bannerFacts(server: RunningServer, logFile: string, generatedKey: string | null): BannerFacts {
  const url = displayUrl(server.url);
  const authEnabled = server.ctx.settings.getBoolean('auth_enabled');
  const models = settingsModelFolder(server.ctx.settings, server.ctx.config.dataDir);
  const keyLocation = `Settings → Server and security in the web UI (${url}/#/settings/api_key), or on this machine: curl -s '${url}/api/settings/api_key?reveal=true'`;
  return {
    url,
    docs: `${url}/docs`,
    redoc: `${url}/redoc`,
    keyLocation,
    generatedKey,
    authEnabled,
    logFile,
    modelDir: models.dir,
    legacyModelDir: models.source === 'legacy',
    setupRequired: !server.ctx.settings.getBoolean('setup_completed'),
  };
}

function bannerText(f: BannerFacts): string {
  const rows: Array<[string, string]> = [
    ['Web UI', f.url],
    ['API docs', `${f.docs}  (ReDoc: ${f.redoc})`],
  ];
  const where: Array<[string, string]> = [
    ['', `Settings → Server and security: ${f.url}/#/settings/api_key`],
    ['', `on this machine: curl -s '${f.url}/api/settings/api_key?reveal=true'`],
  ];
  if (!f.authEnabled) rows.push(['API key', 'not required: authentication is off (Settings → Server and security)']);
  else if (f.generatedKey) rows.push(['API key', `${f.generatedKey}  (new: it is not printed again; later see:)`], ...where);
  else rows.push(['API key', 'not shown here; see:'], ...where);
  rows.push(['Models', f.legacyModelDir ? `${f.modelDir}  (the old folder: System → Health says how to move it)` : f.modelDir]);
  rows.push(['Logs', `${f.logFile}  (and the Logs page)`]);
  const lines = ['', '  TranscriptorIO is running', ...rows.map(([k, v]) => `    ${k.padEnd(9)} ${v}`)];
  if (f.setupRequired) lines.push('', `  Open ${f.url} to finish setup.`);
  return `${lines.join('\n')}\n\n`;
}

export function printBanner(server: RunningServer, o: { format: LogFormat; logFile: string; generatedKey: string | null }): void {
  const f = bannerFacts(server, o.logFile, o.generatedKey);
  if (o.format === 'pretty') {
    if (server.ctx.log.level !== 'silent') process.stdout.write(bannerText(f));
    return;
  }
  server.ctx.log.info(
    { url: f.url, docs: f.docs, redoc: f.redoc, key_location: f.authEnabled ? f.keyLocation : 'not required (auth_enabled is off)', log_file: f.logFile, model_dir: f.modelDir, setup_required: f.setupRequired },
    f.setupRequired ? `Open ${f.url} to finish setup` : `Web UI at ${f.url}`,
  );
}
