/**
 * Writes a valid ggml Whisper model file with random weights, so the real
 * engine (load, mel, encoder, decoder, timestamps) runs in tests and
 * benchmarks on machines that cannot download real weights. Its text is
 * gibberish; its speed and memory are those of the real dimensions.
 *
 *   npm run test-model -- <output-file> [tiny|minimal]
 *
 * Format (whisper.cpp src/whisper.cpp, whisper_model_load): magic, 11 int32
 * hyper-parameters, mel filterbank, vocabulary, then tensors (n_dims, name
 * length, type, dims in ggml order, name, data). Tensor names and shapes follow
 * src/whisper-arch.h.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type TestModelKind = 'tiny' | 'minimal';

interface Dims {
  nVocab: number;
  nAudioState: number;
  nAudioHead: number;
  nAudioLayer: number;
  nTextState: number;
  nTextHead: number;
  nTextLayer: number;
}

const DIMS: Record<TestModelKind, Dims> = {
  // The real multilingual tiny model's dimensions.
  tiny: { nVocab: 51865, nAudioState: 384, nAudioHead: 6, nAudioLayer: 4, nTextState: 384, nTextHead: 6, nTextLayer: 4 },
  // Smallest shape the loader accepts with the full vocabulary: fast tests.
  minimal: { nVocab: 51865, nAudioState: 64, nAudioHead: 1, nAudioLayer: 1, nTextState: 64, nTextHead: 1, nTextLayer: 1 },
};

const N_AUDIO_CTX = 1500;
const N_TEXT_CTX = 448;
const N_MELS = 80;
const N_FFT = 201;
const GGML_F32 = 0;
const GGML_F16 = 1;
/** Text tokens before the special ones (multilingual vocabularies). */
const N_TEXT_TOKENS = 50257;

/** Deterministic PRNG so two runs write the same file (cache-friendly, reproducible). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function toHalf(v: number): number {
  const f32 = new Float32Array([v]);
  const u = new Uint32Array(f32.buffer)[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = ((u >>> 23) & 0xff) - 127 + 15;
  const mant = u & 0x7fffff;
  if (exp <= 0) return sign; // tiny values flush to zero: fine for random weights
  if (exp >= 31) return sign | 0x7bff;
  return sign | (exp << 10) | (mant >>> 13);
}

/**
 * A pool of normally distributed values; tensors are filled from random
 * offsets in it. Filling 40M weights one by one would take many seconds.
 */
function makePools(rand: () => number): { f16: Buffer; f32: Buffer } {
  const n = 1 << 20;
  const f16 = Buffer.alloc(n * 2);
  const f32 = Buffer.alloc(n * 4);
  for (let i = 0; i < n; i++) {
    const g = Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
    const v = g * 0.02;
    f16.writeUInt16LE(toHalf(v), i * 2);
    f32.writeFloatLE(v, i * 4);
  }
  return { f16, f32 };
}

interface TensorSpec {
  name: string;
  ne: number[];
  type: typeof GGML_F32 | typeof GGML_F16;
  fill: 'random' | 'ones' | 'zeros';
}

function tensorSpecs(d: Dims): TensorSpec[] {
  const w = GGML_F16;
  const out: TensorSpec[] = [];
  const t = (name: string, ne: number[], type: TensorSpec['type'], fill: TensorSpec['fill'] = 'random') =>
    out.push({ name, ne, type, fill });
  const sa = d.nAudioState;
  t('encoder.positional_embedding', [sa, N_AUDIO_CTX], GGML_F32);
  t('encoder.conv1.weight', [3, N_MELS, sa], GGML_F16);
  t('encoder.conv1.bias', [1, sa], GGML_F32, 'zeros');
  t('encoder.conv2.weight', [3, sa, sa], GGML_F16);
  t('encoder.conv2.bias', [1, sa], GGML_F32, 'zeros');
  t('encoder.ln_post.weight', [sa], GGML_F32, 'ones');
  t('encoder.ln_post.bias', [sa], GGML_F32, 'zeros');
  for (let i = 0; i < d.nAudioLayer; i++) {
    const p = `encoder.blocks.${i}`;
    t(`${p}.mlp_ln.weight`, [sa], GGML_F32, 'ones');
    t(`${p}.mlp_ln.bias`, [sa], GGML_F32, 'zeros');
    t(`${p}.mlp.0.weight`, [sa, 4 * sa], w);
    t(`${p}.mlp.0.bias`, [4 * sa], GGML_F32, 'zeros');
    t(`${p}.mlp.2.weight`, [4 * sa, sa], w);
    t(`${p}.mlp.2.bias`, [sa], GGML_F32, 'zeros');
    t(`${p}.attn_ln.weight`, [sa], GGML_F32, 'ones');
    t(`${p}.attn_ln.bias`, [sa], GGML_F32, 'zeros');
    t(`${p}.attn.query.weight`, [sa, sa], w);
    t(`${p}.attn.query.bias`, [sa], GGML_F32, 'zeros');
    t(`${p}.attn.key.weight`, [sa, sa], w);
    t(`${p}.attn.value.weight`, [sa, sa], w);
    t(`${p}.attn.value.bias`, [sa], GGML_F32, 'zeros');
    t(`${p}.attn.out.weight`, [sa, sa], w);
    t(`${p}.attn.out.bias`, [sa], GGML_F32, 'zeros');
  }
  const st = d.nTextState;
  t('decoder.positional_embedding', [st, N_TEXT_CTX], GGML_F32);
  t('decoder.token_embedding.weight', [st, d.nVocab], w);
  t('decoder.ln.weight', [st], GGML_F32, 'ones');
  t('decoder.ln.bias', [st], GGML_F32, 'zeros');
  for (let i = 0; i < d.nTextLayer; i++) {
    const p = `decoder.blocks.${i}`;
    t(`${p}.mlp_ln.weight`, [st], GGML_F32, 'ones');
    t(`${p}.mlp_ln.bias`, [st], GGML_F32, 'zeros');
    t(`${p}.mlp.0.weight`, [st, 4 * st], w);
    t(`${p}.mlp.0.bias`, [4 * st], GGML_F32, 'zeros');
    t(`${p}.mlp.2.weight`, [4 * st, st], w);
    t(`${p}.mlp.2.bias`, [st], GGML_F32, 'zeros');
    t(`${p}.attn_ln.weight`, [st], GGML_F32, 'ones');
    t(`${p}.attn_ln.bias`, [st], GGML_F32, 'zeros');
    for (const [kind, ln] of [['attn', 'attn_ln'], ['cross_attn', 'cross_attn_ln']] as const) {
      if (kind === 'cross_attn') {
        t(`${p}.${ln}.weight`, [st], GGML_F32, 'ones');
        t(`${p}.${ln}.bias`, [st], GGML_F32, 'zeros');
      }
      t(`${p}.${kind}.query.weight`, [st, st], w);
      t(`${p}.${kind}.query.bias`, [st], GGML_F32, 'zeros');
      t(`${p}.${kind}.key.weight`, [st, st], w);
      t(`${p}.${kind}.value.weight`, [st, st], w);
      t(`${p}.${kind}.value.bias`, [st], GGML_F32, 'zeros');
      t(`${p}.${kind}.out.weight`, [st, st], w);
      t(`${p}.${kind}.out.bias`, [st], GGML_F32, 'zeros');
    }
  }
  return out;
}

/** Pronounceable fake tokens, so gibberish output still looks like words in subtitles. */
function vocabulary(rand: () => number): Buffer[] {
  const cons = 'bcdfghjklmnprstvz';
  const vow = 'aeiou';
  const tokens: Buffer[] = [];
  // whisper.cpp looks some tokens up by text (" " for blank suppression,
  // " -" and " '" for non-speech suppression): give them the ids GPT-2 has.
  const fixed = new Map<number, string>([[220, ' '], [13, '.'], [11, ','], [30, '?'], [0, '!'], [532, ' -'], [705, " '"]]);
  for (let i = 0; i < N_TEXT_TOKENS; i++) {
    const known = fixed.get(i);
    if (known !== undefined) {
      tokens.push(Buffer.from(known, 'utf8'));
      continue;
    }
    const syll = 1 + Math.floor(rand() * 3);
    let s = rand() < 0.6 ? ' ' : '';
    for (let k = 0; k < syll; k++) s += cons[Math.floor(rand() * cons.length)] + vow[Math.floor(rand() * vow.length)];
    if (rand() < 0.05) s += '.';
    tokens.push(Buffer.from(s, 'utf8'));
  }
  return tokens;
}

function melFilters(): Buffer {
  // Triangular filters over the 201 FFT bins: a plausible filterbank shape.
  const buf = Buffer.alloc(N_MELS * N_FFT * 4);
  for (let m = 0; m < N_MELS; m++) {
    const centre = ((m + 1) * (N_FFT - 1)) / (N_MELS + 1);
    const width = (N_FFT - 1) / (N_MELS + 1);
    for (let f = 0; f < N_FFT; f++) {
      const v = Math.max(0, 1 - Math.abs(f - centre) / width) * 0.01;
      buf.writeFloatLE(v, (m * N_FFT + f) * 4);
    }
  }
  return buf;
}

function int32s(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeInt32LE(v, i * 4));
  return b;
}

/** Writes the model to `file` (atomically: a .tmp file renamed at the end). */
export async function writeTestModel(file: string, kind: TestModelKind = 'minimal'): Promise<void> {
  const d = DIMS[kind];
  const rand = mulberry32(kind === 'tiny' ? 1 : 2);
  const pools = makePools(rand);
  mkdirSync(dirname(resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const out = createWriteStream(tmp);
  let failure: Error | null = null;
  out.on('error', (err) => (failure = err));
  const write = (b: Buffer) =>
    new Promise<void>((res, rej) => {
      if (failure) return rej(failure);
      if (out.write(b)) res();
      else out.once('drain', () => (failure ? rej(failure) : res()));
    });

  await write(int32s(0x67676d6c));
  await write(int32s(d.nVocab, N_AUDIO_CTX, d.nAudioState, d.nAudioHead, d.nAudioLayer, N_TEXT_CTX, d.nTextState, d.nTextHead, d.nTextLayer, N_MELS, GGML_F16));
  await write(int32s(N_MELS, N_FFT));
  await write(melFilters());
  const vocab = vocabulary(rand);
  await write(int32s(vocab.length));
  for (const tok of vocab) await write(Buffer.concat([int32s(tok.length), tok]));

  for (const spec of tensorSpecs(d)) {
    const name = Buffer.from(spec.name, 'utf8');
    await write(Buffer.concat([int32s(spec.ne.length, name.length, spec.type), int32s(...spec.ne), name]));
    const count = spec.ne.reduce((a, b) => a * b, 1);
    const bpe = spec.type === GGML_F16 ? 2 : 4;
    const total = count * bpe;
    if (spec.fill !== 'random') {
      const b = Buffer.alloc(total);
      if (spec.fill === 'ones') for (let i = 0; i < count; i++) b.writeFloatLE(1, i * 4);
      await write(b);
      continue;
    }
    const pool = spec.type === GGML_F16 ? pools.f16 : pools.f32;
    for (let done = 0; done < total; ) {
      const n = Math.min(total - done, pool.length / 2);
      const off = Math.floor((rand() * (pool.length - n)) / bpe) * bpe;
      await write(pool.subarray(off, off + n));
      done += n;
    }
  }
  await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res())));
  renameSync(tmp, file);
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Path of the cached test model of this kind, written on first use. */
export async function ensureTestModel(kind: TestModelKind = 'minimal'): Promise<string> {
  const file = join(root, '.cache', 'test-models', `ggml-test-${kind}.bin`);
  if (!existsSync(file) || statSync(file).size === 0) await writeTestModel(file, kind);
  return file;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [file, kind = 'minimal'] = process.argv.slice(2);
  if (!file || (kind !== 'tiny' && kind !== 'minimal')) {
    console.error('usage: npm run test-model -- <output-file> [tiny|minimal]');
    process.exit(2);
  }
  const t0 = Date.now();
  await writeTestModel(file, kind);
  console.log(`wrote ${file} (${kind}, ${(statSync(file).size / 1e6).toFixed(1)} MB) in ${Date.now() - t0} ms`);
}
