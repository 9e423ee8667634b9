/**
 * In-process probing with MediaInfoLib compiled to WebAssembly
 * (mediainfo.js, its .wasm shipped in the package): no process start per
 * file. Instances are made once and reused; each reads its file through one
 * file handle in bounded chunks, at most MAX_BYTES per file. Whatever it
 * cannot answer the way ffprobe would is handed back as a fallback reason.
 */
import { open } from 'node:fs/promises';
import mediaInfoFactory, { type MediaInfo } from 'mediainfo.js';
import { ProbeAborted, type ProbeResult } from './ffprobe.js';
import { fromMediaInfo, parseMediaInfoJson } from './mediainfo-fields.js';
import { looksLikeTransportStream } from './media-sniff.js';

const CHUNK = 64 * 1024;
// What MediaInfo reads besides an MP4 index (see feed()): about what ffprobe reads (0.1-0.2 MB).
const SOFT_BYTES = 128 * 1024;
// ffprobe reads about 1.5 MB of a transport stream.
const TS_HEAD_BYTES = 1024 * 1024;
const TS_TAIL_BYTES = 256 * 1024;
// A file that needs more than this (a huge MP4 index) is ffprobe's to read.
const MAX_BYTES = 16 * 1024 * 1024;
const MP4_FIRST_BOXES = new Set(['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

export type InProcessOutcome = { result: ProbeResult; bytes: number } | { fallback: string; bytes: number };

type Instance = MediaInfo<'JSON'>;

const totals = { files: 0, bytes: 0, fallbacks: 0 };
/** Files probed in process, bytes they read, and how many were handed to ffprobe (the benchmark prints them). */
export function inProcessTotals(): Readonly<typeof totals> {
  return { ...totals };
}

class Stop extends Error {}

export class MediaInfoProber {
  private readonly idle: Instance[] = [];
  private readonly waiting: Array<{ resolve: (i: Instance) => void; reject: (e: unknown) => void }> = [];
  private made = 0;
  private unavailable: string | null = null;

  /** `instances`: how many files may be parsed at once (each instance holds its own WebAssembly memory). */
  constructor(private readonly instances: () => number) {}

  /**
   * Probes `path`; `{fallback}` says why ffprobe should answer instead.
   * Rejects only with ProbeAborted, once `signal` aborts.
   */
  async probe(path: string, timeoutMs: number, signal?: AbortSignal): Promise<InProcessOutcome> {
    if (signal?.aborted) throw new ProbeAborted('scan cancelled');
    if (this.unavailable) return this.counted({ fallback: this.unavailable, bytes: 0 });
    let mi: Instance;
    try {
      mi = await this.acquire();
    } catch (e) {
      this.unavailable = `MediaInfo could not be loaded: ${e instanceof Error ? e.message : String(e)}`;
      return this.counted({ fallback: this.unavailable, bytes: 0 });
    }
    const read = { bytes: 0, healthy: true };
    try {
      return this.counted(await analyse(mi, path, timeoutMs, read, signal));
    } finally {
      this.release(mi, read.healthy);
    }
  }

  /** Why MediaInfo cannot be used in this process at all (its WebAssembly failed to load), else null. */
  unavailableReason(): string | null {
    return this.unavailable;
  }

  private counted(o: InProcessOutcome): InProcessOutcome {
    totals.files++;
    totals.bytes += o.bytes;
    if ('fallback' in o) totals.fallbacks++;
    return o;
  }

  private async acquire(): Promise<Instance> {
    const ready = this.idle.pop();
    if (ready) return ready;
    if (this.made < Math.max(1, this.instances())) {
      this.made++;
      try {
        return await mediaInfoFactory({ format: 'JSON', coverData: false, full: false });
      } catch (e) {
        this.made--;
        throw e;
      }
    }
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private release(mi: Instance, healthy: boolean): void {
    const next = this.waiting.shift();
    if (healthy) {
      if (next) next.resolve(mi);
      else this.idle.push(mi);
      return;
    }
    this.made--;
    try {
      mi.close();
    } catch {
      /* already broken */
    }
    // Someone waits for an instance: make the replacement for them.
    if (next) this.acquire().then(next.resolve, next.reject);
  }
}

/** One file through one instance; `read` collects the bytes read and whether the instance is still usable. */
async function analyse(mi: Instance, path: string, timeoutMs: number, read: { bytes: number; healthy: boolean }, signal?: AbortSignal): Promise<InProcessOutcome> {
  const fh = await open(path, 'r').catch(() => null);
  // Unreadable or vanished: ffprobe's message is the one users know.
  if (!fh) return { fallback: 'cannot open the file', bytes: 0 };
  try {
    const { size } = await fh.stat();
    const deadline = Date.now() + timeoutMs;
    const buf = Buffer.allocUnsafe(CHUNK);
    const readAt = async (offset: number, length: number): Promise<Buffer> => {
      if (signal?.aborted) throw new Stop('aborted');
      if (Date.now() > deadline) throw new Stop('timed out');
      if (read.bytes + length > MAX_BYTES) throw new Stop(`needs more than ${MAX_BYTES / 1024 / 1024} MiB of reads`);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      read.bytes += bytesRead;
      return buf.subarray(0, bytesRead);
    };
    const text = await feed(mi, size, readAt);
    const tracks = parseMediaInfoJson(text);
    const r = tracks ? fromMediaInfo(tracks) : { odd: 'unexpected MediaInfo output' };
    return 'ok' in r ? { result: r.ok, bytes: read.bytes } : { fallback: r.odd, bytes: read.bytes };
  } catch (e) {
    if (signal?.aborted) throw new ProbeAborted('scan cancelled');
    // A failure inside the WebAssembly module may leave it unusable: a fresh one is made next time.
    if (!(e instanceof Stop)) read.healthy = false;
    return { fallback: e instanceof Error ? e.message : String(e), bytes: read.bytes };
  } finally {
    await fh.close().catch(() => {});
  }
}

/**
 * Hands the file to MediaInfo chunk by chunk, going where it asks (an MP4
 * index at the end, an AVI index), and returns its JSON report.
 *
 * MediaInfo would go on to parse seconds of frames (4.4 MB of a 13 MB MKV)
 * for details the scanner never stores; everything the scanner keeps lies
 * in the headers. So it gets the MP4 index in full and SOFT_BYTES of the
 * rest, then is asked for its report. A transport stream has no header:
 * it gets TS_HEAD_BYTES from the start (tables and first frames of every
 * stream) and TS_TAIL_BYTES from the end (the last timestamps: duration).
 */
async function feed(mi: Instance, size: number, readAt: (offset: number, length: number) => Promise<Buffer>): Promise<string> {
  mi.reset();
  mi.openBufferInit(size, 0);
  // A copy: readAt reuses one buffer, and mp4Index reads before MediaInfo sees this chunk.
  const first = Buffer.from(await readAt(0, Math.min(CHUNK, size)));
  const ts = looksLikeTransportStream(first);
  const index = ts ? null : await mp4Index(first, size, readAt);
  // A fragmented MP4's duration is spread over its fragments; read in part, MediaInfo would give a wrong one.
  if (index?.fragmented) throw new Stop('fragmented MP4');
  let budget = !ts ? SOFT_BYTES : size <= TS_HEAD_BYTES + TS_TAIL_BYTES ? size : TS_HEAD_BYTES;
  let tail = ts && size > TS_HEAD_BYTES + TS_TAIL_BYTES;
  let offset = 0;
  let data: Buffer = first;
  let lastSeek = -1;
  for (;;) {
    if (!data.length) break;
    const inIndex = index !== null && offset >= index.start && offset + data.length <= index.end;
    if (!inIndex) budget -= data.length;
    const finished = mi.openBufferContinue(data, data.length);
    const seekTo = mi.openBufferContinueGotoGet();
    if (seekTo !== -1) {
      // Past the end, or the same place again without progress: the parser cannot be satisfied.
      if (seekTo >= size || seekTo === lastSeek) break;
      lastSeek = seekTo;
      offset = seekTo;
      mi.openBufferInit(finished ? size : -1, seekTo);
    } else {
      lastSeek = -1;
      offset += data.length;
      if (finished || offset >= size) break;
      if (budget <= 0 && !(index && offset >= index.start && offset < index.end)) {
        if (!tail) break;
        tail = false;
        budget = TS_TAIL_BYTES;
        offset = size - TS_TAIL_BYTES;
        mi.openBufferInit(-1, offset);
      }
    }
    data = await readAt(offset, Math.min(CHUNK, size - offset));
  }
  mi.openBufferFinalize();
  return mi.inform();
}

/**
 * Where an MP4's `moov` box (its index: tracks, languages, flags, durations)
 * lies, read from the top-level box headers, and whether it announces
 * fragments (an `mvex` box inside it).
 */
async function mp4Index(first: Buffer, size: number, readAt: (offset: number, length: number) => Promise<Buffer>): Promise<{ start: number; end: number; fragmented: boolean } | null> {
  // Files from before the MP4 standard (QuickTime) may start with another box than ftyp.
  if (first.length < 8 || !MP4_FIRST_BOXES.has(first.toString('latin1', 4, 8))) return null;
  const moov = await findBox(first, 0, size, 'moov', readAt);
  if (!moov) return null;
  const mvex = await findBox(first, moov.start + 8, moov.end, 'mvex', readAt);
  return { ...moov, fragmented: mvex !== null };
}

/** The box of `type` among the boxes from `from` to `to`, reading only box headers (from `first` where it holds them). */
async function findBox(first: Buffer, from: number, to: number, type: string, readAt: (offset: number, length: number) => Promise<Buffer>): Promise<{ start: number; end: number } | null> {
  let offset = from;
  for (let boxes = 0; boxes < 256 && offset + 8 <= to; boxes++) {
    const head = offset + 16 <= first.length ? first.subarray(offset, offset + 16) : Buffer.from(await readAt(offset, Math.min(16, to - offset)));
    if (head.length < 8) return null;
    let length = head.readUInt32BE(0);
    if (length === 1 && head.length >= 16) length = Number(head.readBigUInt64BE(8));
    else if (length === 0) length = to - offset;
    if (length < 8) return null;
    if (head.toString('latin1', 4, 8) === type) return { start: offset, end: Math.min(to, offset + length) };
    offset += length;
  }
  return null;
}
