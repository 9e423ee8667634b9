/**
 * Wake-ups for whoever waits on the queue: "a job is queued" (idle workers
 * claim at once instead of at their next poll) and "job X ended" (a waiting
 * provider request answers at once instead of at its next poll).
 *
 * Each process has one bus (`onJobSignal`, `deliver`), as it has one event
 * loop. A signal travels:
 * - within a process: at once, on its bus;
 * - between the server (or `transcriptorio worker` node) and its worker
 *   processes: over the worker IPC (supervisor.ts forwards "queued" to its
 *   workers, a worker sends what it caused to its supervisor);
 * - between nodes, and between any processes on one PostgreSQL database:
 *   NOTIFY on the `tio_jobs` channel, heard by one LISTEN connection per
 *   process that asks for it (`listenForSignals`, shared and counted).
 *
 * A signal is only a hint to look now: it carries no state, a lost or
 * doubled one changes nothing but latency, and every waiter keeps its poll
 * (slower now) for a signal lost on the way (a dropped connection, a
 * process on another machine sharing a SQLite file).
 */
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { PostgresAdapter, sql } from 'kysely';
import type { Db } from '../db/database.js';

export type JobSignal = { kind: 'queued' } | { kind: 'ended'; jobId: string };

/** The PostgreSQL channel: the payload is `queued` or `ended:<job id>`. */
export const SIGNAL_CHANNEL = 'tio_jobs';

const encode = (s: JobSignal): string => (s.kind === 'queued' ? 'queued' : `ended:${s.jobId}`);

/** A signal as it came over NOTIFY or IPC; null for anything else. */
export function decodeSignal(payload: unknown): JobSignal | null {
  if (payload === 'queued') return { kind: 'queued' };
  if (typeof payload === 'string' && payload.startsWith('ended:') && payload.length > 6) return { kind: 'ended', jobId: payload.slice(6) };
  return null;
}

const bus = new EventEmitter().setMaxListeners(0);

/** Hears every signal this process learns of; returns the function that stops listening. */
export function onJobSignal(fn: (s: JobSignal) => void): () => void {
  bus.on('signal', fn);
  return () => void bus.off('signal', fn);
}

/** A signal that reached this process (over IPC, LISTEN, or raised here), to its listeners. */
export function deliver(s: JobSignal): void {
  bus.emit('signal', s);
}

/** How a worker process passes what it caused to its supervisor (set by worker-process.ts). */
let toParent: ((payload: string) => void) | null = null;

/** In a worker process: what `announce` raises goes to the supervisor too (IPC), which tells the server's waiters and the other workers. */
export function sendSignalsTo(send: ((payload: string) => void) | null): void {
  toParent = send;
}

/** The IPC message of a signal (supervisor <-> worker). */
export interface SignalMessage {
  type: 'signal';
  signal: string;
}

export const signalMessage = (s: JobSignal): SignalMessage => ({ type: 'signal', signal: encode(s) });

/**
 * A job was queued or ended here: this process hears it at once, its
 * supervisor over IPC (in a worker process), every other process on
 * PostgreSQL over NOTIFY. Never fails the caller: the polls still find what
 * a lost signal did not say.
 */
export async function announce(db: Db, s: JobSignal): Promise<void> {
  deliver(s);
  toParent?.(encode(s));
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  if (s.kind !== 'queued') return notify(db, s);
  queuedSoon(db);
}

/** At most one "queued" NOTIFY per this many ms and database: a scan queues thousands of jobs in a row. */
const QUEUED_NOTIFY_MS = 50;
/** Per database: when the last "queued" NOTIFY went, and the one that waits for its turn. */
const queuedNotifies = new WeakMap<Db, { lastMs: number; timer: NodeJS.Timeout | null }>();

/**
 * The "queued" NOTIFY, sent now when none went in the last QUEUED_NOTIFY_MS,
 * else once at the end of that time for all the jobs queued meanwhile. Not
 * waited for: the job creator goes on (the job is committed already).
 */
function queuedSoon(db: Db): void {
  let q = queuedNotifies.get(db);
  if (!q) queuedNotifies.set(db, (q = { lastMs: 0, timer: null }));
  if (q.timer) return;
  const state = q;
  const send = () => {
    state.timer = null;
    state.lastMs = Date.now();
    void notify(db, { kind: 'queued' });
  };
  const wait = state.lastMs + QUEUED_NOTIFY_MS - Date.now();
  if (wait <= 0) return send();
  state.timer = setTimeout(send, wait);
  state.timer.unref();
}

const notify = (db: Db, s: JobSignal): Promise<void> =>
  sql`select pg_notify(${SIGNAL_CHANNEL}, ${encode(s)})`.execute(db).then(() => {}, () => {});

// ---- PostgreSQL: one LISTEN connection per process, shared ----

interface Listener {
  users: number;
  close(): Promise<void>;
}

const listeners = new Map<string, Listener>();

/** How long a lost LISTEN connection waits before it connects again (the polls cover the gap). */
const RECONNECT_MS = [250, 1000, 2000, 5000];

/**
 * Hears the NOTIFYs of every process on the PostgreSQL database at `url` on
 * this process's bus, until the returned function is called (by every user:
 * the connection is shared). A lost connection is opened again; nothing
 * for SQLite URLs.
 */
export function listenForSignals(url: string, onError?: (err: unknown) => void): () => Promise<void> {
  if (!/^postgres(ql)?:/i.test(url)) return async () => {};
  let l = listeners.get(url);
  if (!l) {
    l = startListener(url, onError);
    listeners.set(url, l);
  }
  l.users++;
  const held = l;
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    if (--held.users > 0) return;
    if (listeners.get(url) === held) listeners.delete(url);
    await held.close();
  };
}

function startListener(url: string, onError?: (err: unknown) => void): Listener {
  let client: pg.Client | null = null;
  let closed = false;
  let failures = 0;
  let retry: NodeJS.Timeout | null = null;
  const connect = async (): Promise<void> => {
    if (closed) return;
    const c = new pg.Client({ connectionString: url });
    client = c;
    c.on('notification', (n) => {
      if (n.channel !== SIGNAL_CHANNEL) return;
      const s = decodeSignal(n.payload);
      if (s) deliver(s);
    });
    c.on('error', (e) => lost(c, e));
    c.on('end', () => lost(c, null));
    try {
      await c.connect();
      await c.query(`listen ${SIGNAL_CHANNEL}`);
      failures = 0;
      // Whatever was queued while this connection was down is looked for now.
      deliver({ kind: 'queued' });
    } catch (e) {
      lost(c, e);
    }
  };
  const lost = (c: pg.Client, err: unknown) => {
    if (client !== c || closed) return;
    client = null;
    if (err) onError?.(err);
    c.end().catch(() => {});
    const wait = RECONNECT_MS[Math.min(failures++, RECONNECT_MS.length - 1)];
    retry = setTimeout(() => void connect(), wait);
    retry.unref();
  };
  void connect();
  return {
    users: 0,
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const c = client;
      client = null;
      await c?.end().catch(() => {});
    },
  };
}
