/**
 * What the HTTP benchmarks share: a real `transcriptorio server` child on a
 * free port (no transcription workers), a throw-away PostgreSQL database, and
 * the run over SQLite and then PostgreSQL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** The server on `url`, listening on 127.0.0.1; resolves once /health answers. No workers: they would claim the bench's jobs. */
export async function startServer(url: string, dataDir: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort();
  // BENCH_NODE_ARGS: flags for the server's node, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to see where its time goes.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, 'bin/transcriptorio.js', 'server', '--host', '127.0.0.1', '--port', String(port), '--workers', '0'], {
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: url, LOG_LEVEL: 'warn', PORT: '', HOST: '', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error('server did not start within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, base };
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/** A fresh database on the PostgreSQL server of `adminUrl`, dropped afterwards. */
export async function withPgDatabase<T>(adminUrl: string, fn: (url: string) => Promise<T>): Promise<T> {
  const name = `tio_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  try {
    return await fn(u.toString());
  } finally {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  }
}

/** Runs `run` on a fresh SQLite file, then (with `pgUrl`) on a fresh PostgreSQL database, each with its own data folder. */
export async function overDatabases<R>(
  opts: { prefix: string; pgUrl?: string; only?: string },
  run: (label: 'sqlite' | 'postgres', url: string, dataDir: string) => Promise<R[]>,
): Promise<R[]> {
  const rows: R[] = [];
  const inDir = async (fn: (dir: string) => Promise<R[]>) => {
    const dir = mkdtempSync(join(tmpdir(), opts.prefix));
    try {
      rows.push(...(await fn(dir)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  if (opts.only !== 'postgres') await inDir((dir) => run('sqlite', `sqlite:${join(dir, 'bench.db')}`, dir));
  if (opts.only !== 'sqlite') {
    const pgUrl = opts.pgUrl;
    if (!pgUrl) console.log('\npostgres: skipped (set PG_TEST_URL or pass --pg <url>)');
    else await inDir((dir) => withPgDatabase(pgUrl, (url) => run('postgres', url, dir)));
  }
  return rows;
}
