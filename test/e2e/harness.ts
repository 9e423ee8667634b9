/**
 * Browser test harness: builds the web UI when needed, starts the real server
 * as a child process on a free port with its own data directory, generates
 * media and the minimal test model, and drives Debian's chromium through
 * playwright-core.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { SILERO_MODEL } from '../helpers/fixtures.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ARTIFACTS = join(ROOT, 'test-artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A reason to skip browser tests here, or false. In CI they always run. */
export function browserSkip(): string | false {
  if (process.env.CI) return false;
  if (!existsSync(CHROMIUM)) return `no chromium at ${CHROMIUM} (set CHROMIUM_PATH or install chromium)`;
  return false;
}

function newestMtime(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (st.isFile()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const name of readdirSync(path)) max = Math.max(max, newestMtime(join(path, name)));
  return max;
}

/** Runs `npm run build:web` when web/dist is missing or older than its sources. */
export function ensureWebBuilt(): void {
  const index = join(ROOT, 'web', 'dist', 'index.html');
  const built = statSync(index, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const sources = Math.max(
    newestMtime(join(ROOT, 'web', 'src')),
    newestMtime(join(ROOT, 'web', 'index.html')),
    newestMtime(join(ROOT, 'web', 'vite.config.ts')),
  );
  if (built >= sources) return;
  // The bundle users get: the test runner's NODE_ENV=test would make Vite build React's development variant.
  const r = spawnSync('npm', ['run', '--silent', 'build:web'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  if (r.status !== 0) throw new Error('npm run build:web failed');
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => res(port));
    });
  });
}

export interface RunningServer {
  url: string;
  dataDir: string;
  proc: ChildProcess;
  output: () => string;
  /** JSON request to the server's API (for arranging state, not for assertions about the UI). */
  api<T = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

export async function startServer(opts: { env?: Record<string, string> } = {}): Promise<RunningServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'tio-e2e-data-'));
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...opts.env };
  delete env.DATABASE_URL;
  delete env.NODE_ENV;
  const proc = spawn(process.execPath, [join(ROOT, 'bin', 'transcriptorio.js'), 'server', '--port', String(port), '--host', '127.0.0.1'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (b: Buffer) => {
    out += b.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}:\n${out}`);
    try {
      const r = await fetch(`${url}/health`);
      if (r.status < 500) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`server did not answer /health within 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    url,
    dataDir,
    proc,
    output: () => out,
    async api<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const r = await fetch(url + path, {
        method,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      const text = await r.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON */
      }
      return { status: r.status, body: parsed as T };
    },
    async stop() {
      // A server killed by a signal has no exit code but has exited: waiting for 'exit' again would hang.
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors seen so far. */
  errors: string[];
  close(): Promise<void>;
}

export async function openBrowser(baseUrl: string, viewport = { width: 1280, height: 860 }): Promise<BrowserSession> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'tio-e2e-chromium-'));
  // A fresh profile per session (the persistent-context API is how playwright takes one).
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
    baseURL: baseUrl,
    viewport,
    colorScheme: 'dark',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // Expected failed requests (4xx answers under test) show up as console errors too; keep script errors only.
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  // From the top, so sticky bars sit where a user sees them.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

/**
 * A short MKV (tiny black video + English speech tagged `eng`). Speech comes
 * from espeak-ng when installed, else a tone (the test model's text is
 * gibberish either way; the pipeline is what is under test).
 */
export function makeMovie(dir: string, name: string, text = 'Hello there. This is a short test of the subtitle generator.'): string {
  mkdirSync(dir, { recursive: true });
  const wav = join(dir, `.${name}.wav`);
  const espeak = spawnSync('espeak-ng', ['-v', 'en', '-s', '150', '-w', wav, text]);
  const audioIn = espeak.status === 0 && existsSync(wav) ? ['-i', wav] : ['-f', 'lavfi', '-i', 'sine=frequency=440:duration=4'];
  const out = join(dir, name);
  ffmpeg([
    '-f', 'lavfi', '-i', 'color=black:s=64x64:d=4:r=5',
    ...audioIn,
    '-map', '0:v', '-map', '1:a', '-shortest',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-ar', '16000', '-ac', '1',
    '-metadata:s:a:0', 'language=eng',
    out,
  ]);
  rmSync(wav, { force: true });
  return out;
}

/** Not a media file at all, for a job that must fail. */
export function makeBrokenMovie(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, name);
  execFileSync('sh', ['-c', 'head -c 4096 /dev/urandom > "$1"', 'sh', out]);
  return out;
}

/** The minimal random-weight Whisper model (generated once into .cache/models). */
export function ensureTestModel(): string {
  const out = join(ROOT, '.cache', 'models', 'minimal.bin');
  if (!existsSync(out)) {
    const r = spawnSync('npm', ['run', '--silent', 'test-model', '--', out, 'minimal'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('npm run test-model failed');
  }
  return out;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export { waitFor } from '../helpers/wait.ts';

/**
 * Settings that make jobs run on the generated test model: every preset uses
 * it, and voice detection uses the real Silero model when one is at hand
 * (SILERO_MODEL, or the shared fixture), else it is switched off.
 */
export function testModelSettings(): Record<string, string> {
  const model = ensureTestModel();
  const silero = [process.env.SILERO_MODEL, SILERO_MODEL].find((p) => p && existsSync(p));
  return {
    whisper_model: model,
    preset_fast_model: model,
    preset_balanced_model: model,
    preset_best_model: model,
    ...(silero ? { vad_enabled: 'true', vad_model: silero } : { vad_enabled: 'false' }),
  };
}

/** A link of the main navigation (sidebar). */
export function navLink(page: Page, name: string | RegExp) {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });
}
