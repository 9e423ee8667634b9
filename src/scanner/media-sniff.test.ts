import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMediaContent, isTransportStream, looksLikeTransportStream, needsSniff } from './media-sniff.js';

const FFMPEG = existsSync('/usr/bin/ffmpeg') ? '/usr/bin/ffmpeg' : 'ffmpeg';

test('only .ts, .m2ts and .mts names are sniffed', () => {
  assert.deepEqual(['a.ts', 'b.M2TS', 'c.mts', 'd.mkv', 'e.mp4', 'f.tsx', 'ts'].map(needsSniff), [true, true, true, false, false, false, false]);
});

test('sync bytes at 0 and 188 (MPEG-TS) or 4 and 196 (M2TS, 192-byte packets) make a transport stream', () => {
  const ts = Buffer.alloc(400);
  ts[0] = ts[188] = 0x47;
  assert.equal(looksLikeTransportStream(ts), true);
  const m2ts = Buffer.alloc(400);
  m2ts[4] = m2ts[196] = 0x47;
  assert.equal(looksLikeTransportStream(m2ts), true);
  const one = Buffer.alloc(400);
  one[0] = 0x47;
  assert.equal(looksLikeTransportStream(one), false, 'a lone 0x47 ("G") is text, not a stream');
  assert.equal(looksLikeTransportStream(Buffer.from('import { x } from "./y";\n'.repeat(20))), false);
  assert.equal(looksLikeTransportStream(Buffer.alloc(0)), false);
});

test('TypeScript source is not media; an MPEG-TS made by ffmpeg is; other extensions are not read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tio-sniff-'));
  const source = join(dir, 'app.ts');
  writeFileSync(source, 'export function hello(name: string): string {\n  return `Hello ${name}`;\n}\n'.repeat(10));
  assert.equal(await isTransportStream(source), false);
  assert.equal(await isMediaContent(source), false);
  const stream = join(dir, 'Recording.ts');
  execFileSync(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.5', '-c:a', 'mp2', '-f', 'mpegts', stream]);
  assert.equal(await isTransportStream(stream), true);
  const m2ts = join(dir, 'Disc.m2ts');
  execFileSync(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.5', '-c:a', 'mp2', '-f', 'mpegts', '-mpegts_m2ts_mode', '1', m2ts]);
  assert.equal(await isTransportStream(m2ts), true);
  assert.equal(await isMediaContent(join(dir, 'missing.mkv')), true, 'not a sniffed extension: left to ffprobe');
});
