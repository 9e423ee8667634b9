/**
 * The cross-process "one scan at a time" lease: a row `scanner.lock` in
 * app_state holding `{owner: "HOST:PID:rand", expires_ms}`, renewed while the
 * scan runs. A holder that stopped renewing (crashed on another node) loses
 * it after the TTL; a holder on this machine whose process is gone (killed
 * server, Ctrl-C'd CLI) loses it at once, since waiting would only make the
 * user retry against a dead process.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from '../db/database.js';
import { conflict } from '../errors.js';
import * as repo from './scanner.repository.js';

const LOCK_KEY = 'scanner.lock';
const LOCK_TTL_MS = 60_000;

export interface Lease {
  release(): Promise<void>;
}

interface Holder {
  owner?: string;
  expires_ms?: number;
}

function parseHolder(value: string | null): Holder {
  try {
    const v = JSON.parse(value ?? '{}') as Holder;
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {}; // unreadable lease: treated as expired
  }
}

/** Whether process `pid` exists on this machine (EPERM: it does, under another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** True when the owner is a process of this machine that no longer exists. */
export function isDeadLocalOwner(owner: string | undefined): boolean {
  const [host, pidText] = (owner ?? '').split(':');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  return pid !== process.pid && !isProcessAlive(pid);
}

/** Whether the lease in `value` may be taken over now. */
function isStale(value: string | null): boolean {
  if (value === null) return true;
  const holder = parseHolder(value);
  return (holder.expires_ms ?? 0) <= Date.now() || isDeadLocalOwner(holder.owner);
}

/**
 * Removes a lease left by a dead process of this machine (at start-up: a
 * server killed mid-scan). Returns the owner it removed, or null.
 */
export async function releaseDeadLease(db: Db): Promise<string | null> {
  const held = await repo.getState(db, LOCK_KEY);
  if (held === null) return null;
  const holder = parseHolder(held);
  if (!isDeadLocalOwner(holder.owner)) return null;
  await repo.deleteStateIf(db, LOCK_KEY, held);
  return holder.owner ?? null;
}

/** Takes the lease (409 scan_running while a live process holds it), renewed until released. */
export async function acquireLease(db: Db): Promise<Lease> {
  const owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const value = () => JSON.stringify({ owner, expires_ms: Date.now() + LOCK_TTL_MS });
  let current = value();
  if (!(await repo.insertStateIfAbsent(db, LOCK_KEY, current))) {
    const held = await repo.getState(db, LOCK_KEY);
    if (!isStale(held)) {
      const holder = parseHolder(held);
      throw conflict(`A scan is already running (in process ${holder.owner ?? 'unknown'}); try again when it has finished`, 'scan_running');
    }
    // Compare-and-swap: of two processes taking over the same stale lease, one wins.
    const ok = held === null ? await repo.insertStateIfAbsent(db, LOCK_KEY, current) : await repo.replaceState(db, LOCK_KEY, held, current);
    if (!ok) throw conflict('A scan is already running in another process; try again when it has finished', 'scan_running');
  }
  const timer = setInterval(async () => {
    const next = value();
    try {
      if (await repo.replaceState(db, LOCK_KEY, current, next)) current = next;
    } catch {
      /* the next renewal tries again */
    }
  }, LOCK_TTL_MS / 3);
  timer.unref();
  return {
    release: async () => {
      clearInterval(timer);
      await repo.deleteStateIf(db, LOCK_KEY, current).catch(() => {});
    },
  };
}
