/**
 * A look at the first bytes where the extension alone is ambiguous: `.ts` is
 * an MPEG transport stream in a DVB/IPTV recording folder and TypeScript
 * source everywhere else. Only these extensions are read; every other
 * non-media file is left to ffprobe, which rejects it anyway.
 */
import { open } from 'node:fs/promises';
import { extname } from 'node:path';

const TRANSPORT_STREAM_EXTENSIONS = new Set(['.ts', '.m2ts', '.mts']);
const SYNC = 0x47;
const TS_PACKET = 188;
// Blu-ray M2TS: each 188-byte packet follows a 4-byte timestamp, so sync bytes sit at 4, 196, 388...
const M2TS_HEADER = 4;
const M2TS_PACKET = 192;
// Two packets of either kind.
const SNIFF_BYTES = 400;

/** True when the name's extension is one that can be a transport stream or something else entirely. */
export function needsSniff(name: string): boolean {
  return TRANSPORT_STREAM_EXTENSIONS.has(extname(name).toLowerCase());
}

/**
 * True when `head` starts like an MPEG-TS (sync byte 0x47 at 0 and 188) or
 * an M2TS (4 and 196: 192-byte packets after a 4-byte header). A file shorter
 * than two packets needs only the first sync byte; ffprobe judges the rest.
 */
export function looksLikeTransportStream(head: Uint8Array): boolean {
  const syncs = (first: number, stride: number) => head.length > first && head[first] === SYNC && (head.length <= first + stride || head[first + stride] === SYNC);
  return syncs(0, TS_PACKET) || syncs(M2TS_HEADER, M2TS_PACKET);
}

/**
 * Reads the first 400 bytes of `path`. A file that cannot be read counts as
 * a stream, so the scan reports it as unreadable instead of hiding it.
 */
export async function isTransportStream(path: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(path, 'r');
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
    return looksLikeTransportStream(buf.subarray(0, bytesRead));
  } catch {
    return true;
  } finally {
    await fh?.close().catch(() => {});
  }
}

/** False only for a `.ts`/`.m2ts`/`.mts` file that is not a transport stream (TypeScript source, say). */
export async function isMediaContent(path: string): Promise<boolean> {
  return !needsSniff(path) || isTransportStream(path);
}
