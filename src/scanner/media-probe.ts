/**
 * The probe of a new file: MediaInfo in process first, ffprobe for what
 * MediaInfo cannot answer the way ffprobe would (and for every file when
 * there is no in-process prober). Both give the same ProbeResult.
 */
import { countProbe, probeFile, type ProbeResult } from './ffprobe.js';
import type { MediaInfoProber } from './mediainfo-probe.js';

export interface ProbeAnswer {
  result: ProbeResult;
  by: 'mediainfo' | 'ffprobe';
  /** why MediaInfo's answer was not used, when ffprobe answered after it */
  fallback?: string;
}

/**
 * Probes `path`. Rejects with ProbeError (not media, unreadable, timed out:
 * ffprobe's verdict) or ProbeAborted (`signal` aborted).
 */
export async function probeMedia(path: string, o: { inProcess: MediaInfoProber | null; timeoutMs: number; signal?: AbortSignal; ffprobe?: string | null }): Promise<ProbeAnswer> {
  countProbe();
  let fallback: string | undefined;
  if (o.inProcess) {
    const r = await o.inProcess.probe(path, o.timeoutMs, o.signal);
    if ('result' in r) return { result: r.result, by: 'mediainfo' };
    fallback = r.fallback;
  }
  const result = await probeFile(path, o.timeoutMs, o.signal, o.ffprobe ?? null);
  return { result, by: 'ffprobe', ...(fallback ? { fallback } : {}) };
}
