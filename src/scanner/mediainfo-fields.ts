/**
 * MediaInfo's JSON report turned into the ProbeResult ffprobe gives for the
 * same file, field for field, or the reason it cannot be trusted for this
 * file (then ffprobe is asked). Pure: no I/O, no MediaInfo instance.
 */
import { normalizeLanguage } from '../languages.js';
import type { AudioTrack, EmbeddedSubtitle, ProbeResult } from './ffprobe.js';

/** One track of MediaInfo's JSON output (`{"media": {"track": [...]}}`), every value a string. */
export type MediaInfoTrack = Record<string, unknown> & { '@type'?: string };

export type Normalized = { ok: ProbeResult } | { odd: string };

// MediaInfo's General Format -> ffprobe's format_name. A container missing here goes to ffprobe.
const FORMAT_NAMES: Record<string, string> = {
  Matroska: 'matroska,webm',
  WebM: 'matroska,webm',
  'MPEG-4': 'mov,mp4,m4a,3gp,3g2,mj2',
  'MPEG-TS': 'mpegts',
  BDAV: 'mpegts',
  AVI: 'avi',
  'MPEG Audio': 'mp3',
  FLAC: 'flac',
  Wave: 'wav',
  Ogg: 'ogg',
};

const TRANSPORT_STREAMS = new Set(['MPEG-TS', 'BDAV']);

// Containers whose header lists every track with its flags; for the others MediaInfo
// learns streams and durations from the packets, and ffprobe judges what looks odd.
const BITRATE_DURATIONS = new Set(['AVI']);

// Matroska CodecID -> ffprobe codec_name, exact for the codecs whose MediaInfo Format is ambiguous.
const MATROSKA_SUBTITLES: Record<string, string> = {
  'S_TEXT/UTF8': 'subrip',
  'S_TEXT/ASCII': 'subrip',
  'S_TEXT/ASS': 'ass',
  'S_TEXT/SSA': 'ass',
  S_ASS: 'ass',
  S_SSA: 'ass',
  'S_TEXT/WEBVTT': 'webvtt',
  'D_WEBVTT/SUBTITLES': 'webvtt',
  'D_WEBVTT/CAPTIONS': 'webvtt',
  'D_WEBVTT/DESCRIPTIONS': 'webvtt',
  'S_HDMV/PGS': 'hdmv_pgs_subtitle',
  'S_HDMV/TEXTST': 'hdmv_text_subtitle',
  S_VOBSUB: 'dvd_subtitle',
  S_DVBSUB: 'dvb_subtitle',
};

// MediaInfo's subtitle Format -> ffprobe codec_name in the other containers.
const SUBTITLE_FORMATS: Record<string, string> = {
  'Timed Text': 'mov_text',
  'UTF-8': 'subrip',
  ASS: 'ass',
  SSA: 'ass',
  WebVTT: 'webvtt',
  PGS: 'hdmv_pgs_subtitle',
  VobSub: 'dvd_subtitle',
  'DVB Subtitle': 'dvb_subtitle',
  'Teletext Subtitle': 'dvb_teletext',
};

// MediaInfo's audio Format -> ffprobe codec_name (MPEG Audio and PCM are decided by their details).
const AUDIO_FORMATS: Record<string, string> = {
  AAC: 'aac',
  'AC-3': 'ac3',
  'E-AC-3': 'eac3',
  'MLP FBA': 'truehd',
  MLP: 'mlp',
  Opus: 'opus',
  Vorbis: 'vorbis',
  FLAC: 'flac',
  ALAC: 'alac',
};

function str(t: MediaInfoTrack, key: string): string | null {
  const v = t[key];
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') return null;
  const s = v.trim();
  return s ? s : null;
}

function num(t: MediaInfoTrack, key: string): number | null {
  const s = str(t, key);
  if (s === null) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/**
 * MP4 flags come as one value per place MediaInfo found them ("Yes / No / No":
 * the track header first, then the alternate group and the user data); the
 * track header's is the one ffprobe reports.
 */
export function flag(value: string | null): boolean {
  return value?.split('/')[0]?.trim().toLowerCase() === 'yes';
}

function audioCodec(t: MediaInfoTrack, container: string): string | null {
  const format = str(t, 'Format');
  if (!format) return null;
  if (AUDIO_FORMATS[format]) return AUDIO_FORMATS[format];
  if (format.startsWith('DTS')) return 'dts';
  if (format === 'WMA') {
    if (/pro/i.test(str(t, 'Format_Profile') ?? '')) return 'wmapro';
    const version = str(t, 'Format_Version');
    return version === '1' || version === '2' ? `wmav${version}` : null;
  }
  if (format === 'MPEG Audio') {
    // AVI names no layer, only the WAVE format tag: 0x55 is MP3, 0x50 MPEG layer 1 or 2 (ffprobe: mp2).
    const layer = /Layer ([123])/.exec(str(t, 'Format_Profile') ?? '')?.[1] ?? { '55': '3', '50': '2' }[str(t, 'CodecID') ?? ''];
    return layer ? (layer === '3' ? 'mp3' : `mp${layer}`) : null;
  }
  if (format === 'PCM') {
    // Blu-ray and DVD PCM have codecs of their own in ffprobe (pcm_bluray, pcm_dvd).
    if (container !== 'Wave' && container !== 'Matroska' && container !== 'AVI' && container !== 'MPEG-4') return null;
    const bits = num(t, 'BitDepth');
    const sign = str(t, 'Format_Settings_Sign');
    const endian = str(t, 'Format_Settings_Endianness');
    const codecId = str(t, 'CodecID') ?? '';
    const float = codecId === 'A_PCM/FLOAT/IEEE' || str(t, 'Format_Profile') === 'Float' || (container === 'Wave' && /^(3|00000003-)/.test(codecId));
    if (float) return container !== 'MPEG-4' && (bits === 32 || bits === 64) ? `pcm_f${bits}le` : null;
    if (bits === 8) return sign === 'Signed' ? 'pcm_s8' : 'pcm_u8';
    if (bits !== 16 && bits !== 24 && bits !== 32) return null;
    if (sign === 'Unsigned') return null;
    return `pcm_s${bits}${endian === 'Big' ? 'be' : 'le'}`;
  }
  return null;
}

function subtitleCodec(t: MediaInfoTrack, container: string): string | null {
  const codecId = str(t, 'CodecID');
  if (container === 'Matroska' || container === 'WebM') return codecId ? (MATROSKA_SUBTITLES[codecId] ?? null) : null;
  const format = str(t, 'Format');
  return format ? (SUBTITLE_FORMATS[format] ?? null) : null;
}

/**
 * Position among all streams, as ffprobe numbers them: MediaInfo's
 * StreamOrder ("3"; "0-3" in a transport stream: program, then stream),
 * else the track's place in the report (single-stream audio files).
 * `[program, position]`; null when not understood.
 */
function streamOrder(t: MediaInfoTrack, fallback: number): [string, number] | null {
  const s = str(t, 'StreamOrder');
  if (s === null) return ['', fallback];
  const m = /^(?:(\d+)-)?(\d+)$/.exec(s);
  return m ? [m[1] ?? '', Number(m[2])] : null;
}

/**
 * A transport stream's duration the way ffprobe measures it: from the first
 * timestamp of any stream to the last end of any (MediaInfo's own figure
 * counts from the clock references, up to a quarter of a second apart).
 */
function timestampSpan(streams: Array<{ t: MediaInfoTrack }>): number | null {
  const spans = streams.map(({ t }) => [num(t, 'Delay') ?? 0, num(t, 'Duration')] as const).filter((x): x is readonly [number, number] => x[1] !== null);
  if (!spans.length) return null;
  return Math.max(...spans.map(([d, l]) => d + l)) - Math.min(...spans.map(([d]) => d));
}

/**
 * What ffprobe would have reported, from MediaInfo's report; `{odd}` when
 * the report cannot be trusted to say the same (truncated file, nothing
 * found, a container or codec with no known ffprobe name, durations that
 * disagree) — the caller asks ffprobe then.
 */
export function fromMediaInfo(tracks: MediaInfoTrack[]): Normalized {
  const general = tracks.find((t) => t['@type'] === 'General');
  if (!general) return { odd: 'no general section' };
  const container = str(general, 'Format');
  if (!container) return { odd: 'container not recognised' };
  const formatName = FORMAT_NAMES[container];
  if (!formatName) return { odd: `container ${container}` };
  const extra = (general.extra ?? {}) as MediaInfoTrack;
  if (flag(str(extra, 'IsTruncated'))) return { odd: 'truncated file' };
  const duration = num(general, 'Duration');
  if (duration === null || duration <= 0) return { odd: 'no duration' };

  // Streams in the order ffprobe lists them; cover art (Image) and menus are not streams there.
  const streams = tracks.filter((t) => t['@type'] === 'Video' || t['@type'] === 'Audio' || t['@type'] === 'Text');
  const orders = streams.map((t, i) => streamOrder(t, i));
  // Streams of several programs (a multi-channel DVB recording) are numbered otherwise by ffprobe.
  if (orders.some((o) => o === null) || new Set(orders.map((o) => o![0])).size > 1) return { odd: 'stream order not understood (several programs)' };
  const ordered = streams.map((t, i) => ({ t, order: orders[i]![1] })).sort((a, b) => a.order - b.order);
  const byType = (type: string) => ordered.filter((s) => s.t['@type'] === type);

  const audio = byType('Audio');
  if (!audio.length) return { odd: 'no audio stream found' };
  const mp4 = container === 'MPEG-4';
  const audioTracks: AudioTrack[] = [];
  for (const [i, { t, order }] of audio.entries()) {
    const codec = audioCodec(t, container);
    if (!codec) return { odd: `audio codec ${str(t, 'Format') ?? 'unknown'} ${str(t, 'Format_Profile') ?? ''}`.trim() };
    const channels = num(t, 'Channels');
    // ffprobe learns the channels from the first frames; MediaInfo did not get that far (a sparse transport stream).
    if (channels === null || !Number.isInteger(channels)) return { odd: `audio stream ${i} without a channel count` };
    audioTracks.push({
      index: i,
      stream_index: order,
      codec,
      language: normalizeLanguage(str(t, 'Language')),
      channels,
      default: flag(str(t, 'Default')),
      // ffprobe does not read MP4 track names as titles.
      title: mp4 ? null : str(t, 'Title'),
    });
  }

  const subtitles: EmbeddedSubtitle[] = [];
  for (const [i, { t, order }] of byType('Text').entries()) {
    const codec = subtitleCodec(t, container);
    // Closed captions inside the video stream are no stream of their own to ffprobe.
    if (!codec) return { odd: `subtitle format ${str(t, 'Format') ?? 'unknown'}` };
    const title = mp4 ? null : str(t, 'Title');
    subtitles.push({
      index: i,
      stream_index: order,
      language: normalizeLanguage(str(t, 'Language')),
      codec,
      // Many releases mark forced tracks only in the title (the same rule as for ffprobe).
      forced: flag(str(t, 'Forced')) || /\bforced\b/i.test(title ?? ''),
      default: flag(str(t, 'Default')),
      hearing_impaired: /\bHI\b/.test(str(t, 'ServiceKind') ?? '') || /\b(sdh|hi|cc)\b/i.test(title ?? ''),
      title,
    });
  }

  const video = byType('Video');
  if (BITRATE_DURATIONS.has(container) && video.length) {
    // AVI durations come from header bit rates, which some muxers write wrong (a VBR MP3 track).
    const longest = (list: typeof audio) => Math.max(...list.map((s) => num(s.t, 'Duration') ?? 0));
    const a = longest(audio);
    const v = longest(video);
    if (Math.abs(a - v) > Math.max(1, 0.02 * Math.max(a, v))) return { odd: `audio lasts ${a} s, video ${v} s` };
  }

  return {
    ok: {
      audio_tracks: audioTracks,
      embedded_subtitles: subtitles,
      duration_seconds: Math.round((TRANSPORT_STREAMS.has(container) ? (timestampSpan([...audio, ...video]) ?? duration) : duration) * 1000) / 1000,
      is_video: video.length > 0,
      format_name: formatName,
    },
  };
}

/** The tracks of MediaInfo's JSON text, or null when it is not the shape mediainfo.js gives. */
export function parseMediaInfoJson(text: string): MediaInfoTrack[] | null {
  try {
    const json = JSON.parse(text) as { media?: { track?: unknown } } | null;
    const tracks = json?.media?.track;
    return Array.isArray(tracks) ? (tracks as MediaInfoTrack[]) : null;
  } catch {
    return null;
  }
}
