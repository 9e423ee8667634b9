/**
 * 16 kHz mono s16le WAV helpers. Audio is kept on disk and read in bounded
 * slices, so a 3-hour film never sits in memory as PCM.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { AppError } from '../errors.js';

export const SAMPLE_RATE = 16000;
const BYTES_PER_SAMPLE = 2;
export const BYTES_PER_SECOND = SAMPLE_RATE * BYTES_PER_SAMPLE;

export function wavHeader(dataBytes: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(SAMPLE_RATE, 24);
  h.writeUInt32LE(BYTES_PER_SECOND, 28);
  h.writeUInt16LE(BYTES_PER_SAMPLE, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/** Wraps raw s16le 16 kHz mono PCM (the provider's `encode=false` input) as a WAV file buffer. */
export function decodeRawPcm(pcm: Buffer): Buffer {
  const even = pcm.length - (pcm.length % 2);
  return Buffer.concat([wavHeader(even), pcm.subarray(0, even)]);
}

export interface PcmFile {
  path: string;
  /** byte offset of the PCM data */
  dataOffset: number;
  dataBytes: number;
  duration: number;
}

/** Opens a WAV written by our ffmpeg extraction (or any 16 kHz mono s16 WAV) and finds its data chunk. */
export async function openPcmWav(path: string): Promise<PcmFile> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(Math.min(size, 4096));
    await fh.read(head, 0, head.length, 0);
    if (head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') {
      throw new AppError(422, 'corrupt_media', `${path} is not a WAV file`);
    }
    let pos = 12;
    let fmtOk = false;
    while (pos + 8 <= head.length) {
      const id = head.toString('ascii', pos, pos + 4);
      const len = head.readUInt32LE(pos + 4);
      if (id === 'fmt ') {
        const channels = head.readUInt16LE(pos + 10);
        const rate = head.readUInt32LE(pos + 12);
        const bits = head.readUInt16LE(pos + 22);
        fmtOk = channels === 1 && rate === SAMPLE_RATE && bits === 16;
      }
      if (id === 'data') {
        if (!fmtOk) throw new AppError(422, 'corrupt_media', `${path} is not 16 kHz mono 16-bit PCM`);
        const dataOffset = pos + 8;
        // ffmpeg writes 0xFFFFFFFF (or a stale size) when streaming: trust the file size.
        const dataBytes = Math.min(len === 0xffffffff || len === 0 ? Infinity : len, size - dataOffset);
        const even = dataBytes - (dataBytes % 2);
        return { path, dataOffset, dataBytes: even, duration: even / BYTES_PER_SECOND };
      }
      pos += 8 + len + (len % 2);
    }
    throw new AppError(422, 'corrupt_media', `${path} has no audio data`);
  } finally {
    await fh.close();
  }
}

/** Reads [start, end) seconds of PCM as raw s16le bytes. */
/** `headroom` bytes are left free (zeroed) before the samples, e.g. for a WAV header. */
export async function readPcm(file: PcmFile, start: number, end: number, fh?: FileHandle, headroom = 0): Promise<Buffer> {
  const from = Math.max(0, Math.floor(start * SAMPLE_RATE)) * BYTES_PER_SAMPLE;
  const to = Math.min(file.dataBytes, Math.floor(end * SAMPLE_RATE) * BYTES_PER_SAMPLE);
  if (to <= from) return Buffer.alloc(headroom);
  const buf = Buffer.alloc(headroom + to - from);
  const handle = fh ?? (await open(file.path, 'r'));
  try {
    await handle.read(buf, headroom, to - from, file.dataOffset + from);
  } finally {
    if (!fh) await handle.close();
  }
  return buf;
}

/**
 * Picks a cut point near `target` (seconds) at the quietest 100 ms window of
 * the `search` seconds before it, so chunk boundaries fall in pauses rather
 * than mid-word.
 */
export async function quietestCut(file: PcmFile, target: number, search: number, fh?: FileHandle): Promise<number> {
  const from = Math.max(0, target - search);
  const pcm = await readPcm(file, from, target, fh);
  const win = SAMPLE_RATE / 10;
  let best = target;
  let bestEnergy = Infinity;
  for (let s = 0; s + win <= pcm.length / 2; s += win / 2) {
    let e = 0;
    for (let i = s; i < s + win; i += 4) {
      const v = pcm.readInt16LE(i * 2);
      e += v * v;
    }
    // Prefer later cuts on ties so chunks stay near their target length.
    if (e <= bestEnergy) {
      bestEnergy = e;
      best = from + (s + win / 2) / SAMPLE_RATE;
    }
  }
  return best;
}
