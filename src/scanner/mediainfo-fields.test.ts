import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flag, fromMediaInfo, type MediaInfoTrack } from './mediainfo-fields.js';

const general = (o: MediaInfoTrack = {}): MediaInfoTrack => ({ '@type': 'General', Format: 'Matroska', Duration: '10.5', ...o });
const audio = (o: MediaInfoTrack = {}): MediaInfoTrack => ({ '@type': 'Audio', StreamOrder: '1', Format: 'AAC', Channels: '2', Language: 'ja', ...o });

function ok(tracks: MediaInfoTrack[]) {
  const r = fromMediaInfo(tracks);
  assert.ok('ok' in r, `odd: ${'odd' in r ? r.odd : ''}`);
  return r.ok;
}

function odd(tracks: MediaInfoTrack[]): string {
  const r = fromMediaInfo(tracks);
  assert.ok('odd' in r, 'expected a fallback to ffprobe');
  return r.odd;
}

test('MP4 compound flags: the track header value (the first) decides', () => {
  assert.equal(flag('Yes / No / No'), true);
  assert.equal(flag('No / Yes'), false);
  assert.equal(flag('Yes'), true);
  assert.equal(flag(null), false);
});

test('codecs get ffprobe names: DTS variants, TrueHD, MP3 by layer or AVI format tag, integer PCM', () => {
  const codec = (o: MediaInfoTrack, container = 'Matroska') => ok([general({ Format: container }), audio(o)]).audio_tracks[0].codec;
  assert.equal(codec({ Format: 'DTS XLL' }), 'dts');
  assert.equal(codec({ Format: 'MLP FBA' }), 'truehd');
  assert.equal(codec({ Format: 'E-AC-3' }), 'eac3');
  assert.equal(codec({ Format: 'MPEG Audio', Format_Profile: 'Layer 2' }), 'mp2');
  assert.equal(codec({ Format: 'MPEG Audio', CodecID: '55' }, 'AVI'), 'mp3');
  assert.equal(codec({ Format: 'PCM', BitDepth: '24', Format_Settings_Sign: 'Signed', Format_Settings_Endianness: 'Little' }, 'Wave'), 'pcm_s24le');
  assert.equal(codec({ Format: 'PCM', BitDepth: '8', Format_Settings_Sign: 'Unsigned' }, 'Wave'), 'pcm_u8');
});

test('what ffprobe names differently, or MediaInfo cannot vouch for, goes to ffprobe', () => {
  assert.match(odd([general({ Format: 'MPEG-PS' }), audio()]), /container MPEG-PS/);
  assert.match(odd([general({ Format: 'MPEG-TS' }), audio({ Format: 'PCM', BitDepth: '16' })]), /audio codec PCM/);
  assert.match(odd([general(), audio({ Format: 'WMA' })]), /audio codec WMA/);
  assert.match(odd([general(), audio(), { '@type': 'Text', StreamOrder: '2', Format: 'EIA-608' }]), /subtitle format EIA-608/);
  assert.match(odd([general({ Format: 'MPEG-TS' }), audio({ StreamOrder: '1-2' }), audio({ StreamOrder: '2-3' })]), /several programs/);
  assert.match(odd([general({ extra: { IsTruncated: 'Yes' } }), audio()]), /truncated/);
  assert.match(odd([general({ Duration: undefined }), audio()]), /no duration/);
  assert.match(odd([general({ Format: 'MPEG-TS' }), audio({ StreamOrder: '0-1', Channels: undefined })]), /without a channel count/);
  assert.match(odd([general(), { '@type': 'Video', StreamOrder: '0', Format: 'AVC' }]), /no audio/);
  assert.match(odd([{ '@type': 'General', FileSize: '12' }]), /not recognised/);
  assert.match(
    odd([general({ Format: 'AVI' }), { '@type': 'Video', StreamOrder: '0', Duration: '2.2' }, audio({ Format: 'MPEG Audio', CodecID: '55', Duration: '4.176' })]),
    /audio lasts 4.176 s, video 2.2 s/,
  );
});

test('stream order: transport streams number streams after the program ("0-3"), audio files have none', () => {
  const ts = ok([general({ Format: 'MPEG-TS' }), { '@type': 'Video', StreamOrder: '0-0', Format: 'AVC' }, audio({ StreamOrder: '0-2' }), audio({ StreamOrder: '0-1', Language: 'en' })]);
  assert.deepEqual(ts.audio_tracks.map((a) => [a.index, a.stream_index, a.language]), [[0, 1, 'eng'], [1, 2, 'jpn']]);
  const mp3 = ok([general({ Format: 'MPEG Audio' }), audio({ StreamOrder: undefined, Format: 'MPEG Audio', Format_Profile: 'Layer 3' }), { '@type': 'Image', Format: 'PNG' }]);
  assert.deepEqual([mp3.audio_tracks[0].stream_index, mp3.is_video, mp3.format_name], [0, false, 'mp3']);
});

test('subtitles: forced and hearing impaired also from the title, as with ffprobe; MP4 track names are not titles to ffprobe', () => {
  const sub = (o: MediaInfoTrack) => ({ '@type': 'Text', StreamOrder: '2', CodecID: 'S_TEXT/UTF8', Language: 'en', ...o });
  const mkv = ok([general(), audio(), sub({ Title: 'English (Forced)' }), sub({ StreamOrder: '3', Title: 'SDH' }), sub({ StreamOrder: '4', ServiceKind: 'HI' })]);
  assert.deepEqual(mkv.embedded_subtitles.map((s) => [s.forced, s.hearing_impaired]), [[true, false], [false, true], [false, true]]);
  const mp4 = ok([general({ Format: 'MPEG-4' }), audio({ Title: 'Main' }), sub({ Format: 'Timed Text', CodecID: 'tx3g', Title: 'Forced' })]);
  assert.deepEqual([mp4.audio_tracks[0].title, mp4.embedded_subtitles[0].title, mp4.embedded_subtitles[0].forced], [null, null, false]);
});
