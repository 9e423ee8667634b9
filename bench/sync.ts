/**
 * bench:sync — the subtitle aligner on a truth-known corpus (bench/sync-corpus.ts):
 * damaged copies of the true subtitle (offsets, frame rates, an ad break
 * inserted in the audio, the first minute cut, a subtitle of another film)
 * and the true subtitle itself, each planned against Silero's spans of the
 * audio with the default settings. Prints per kind of damage the share of
 * cues within 100 ms and 400 ms of the truth after the plan, the verdicts,
 * and the good subtitles changed (must be 0); then the time and peak memory
 * of planning a 2-hour film in a fresh process. Goals as PASS/FAIL lines.
 *
 *   npm run bench:sync
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyPlan, planSync, type SyncPlan, type TimeSpan } from '../src/sync/index.js';
import { FPS_23_976 } from '../src/sync/ratios.js';
import { buildCorpus, type Corpus } from './sync-corpus.js';

type Expect = 'fix' | 'unchanged' | 'refusal' | 'fix_or_refusal';
interface Case {
  kind: string;
  name: string;
  cues: TimeSpan[];
  reference: TimeSpan[];
  /** True times per cue; null where the audio has no truth for it (a cut part). */
  truth: (TimeSpan | null)[];
  expect: Expect;
  /** How close (seconds) a fixed cue must be to count the case as fixed right; 0.1 unless said. */
  tolerance?: number;
}

const move = (s: TimeSpan, by: number): TimeSpan => ({ start: s.start + by, end: s.end + by });
const scaleBy = (s: TimeSpan, by: number): TimeSpan => ({ start: s.start * by, end: s.end * by });

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

function cases(c: Corpus): Case[] {
  const { truth, spans } = c;
  const out: Case[] = [];
  for (const off of [-55, -20, -3.2, 0.7, 8.5, 30, 58]) {
    out.push({ kind: 'offset', name: `${off} s`, cues: truth.map((t) => move(t, off)), reference: spans, truth, expect: 'fix' });
  }
  // Real subtitles are looser than the speech: cues 0.15 s early and 0.6 s long at the end.
  const loose = truth.map((t) => ({ start: t.start - 0.15, end: t.end + 0.6 }));
  for (const off of [-12, 25]) {
    out.push({ kind: 'loose cues', name: `offset ${off} s`, cues: loose.map((t) => move(t, off)), reference: spans, truth: loose, expect: 'fix', tolerance: 0.4 });
  }
  for (const [from, fromLabel, to, toLabel] of [[25, '25', FPS_23_976, '23.976'], [25, '25', 24, '24'], [24, '24', FPS_23_976, '23.976']] as const) {
    // Made for `from` fps: its times run faster by to/from; a small offset on top.
    const cues = truth.map((t) => move(scaleBy(t, to / from), 0.4));
    out.push({ kind: 'frame rate', name: `${fromLabel} -> ${toLabel}`, cues, reference: spans, truth, expect: 'fix' });
  }
  for (const share of [0.35, 0.65]) {
    // A 30 s ad break in the audio at a scene break: speech and true times after it 30 s later.
    const at = c.sceneBreaks[Math.floor(share * c.sceneBreaks.length)];
    const reference = spans.map((s) => (s.start >= at ? move(s, 30) : s));
    out.push({ kind: 'ad break', name: `30 s at ${Math.round(at)} s`, cues: truth, reference, truth: truth.map((t) => (t.start >= at ? move(t, 30) : t)), expect: 'fix' });
  }
  for (const cut of [60, 40]) {
    // The audio's first `cut` seconds are gone: its speech moves earlier, cues in the cut part have no truth.
    const reference = spans.filter((s) => s.end > cut).map((s) => ({ start: Math.max(0, s.start - cut), end: s.end - cut }));
    const t2 = truth.map((t) => (t.start >= cut ? move(t, -cut) : null));
    // A cut as long as the window (60 s) lies at its edge: refusing it is right, fixing it is too.
    out.push({ kind: 'cut start', name: `first ${cut} s cut`, cues: truth, reference, truth: t2, expect: cut >= 60 ? 'fix_or_refusal' : 'fix' });
  }
  const rnd = random(7);
  const correct: [string, TimeSpan[]][] = [
    ['exact', truth],
    ['jitter ±60 ms', truth.map((t) => ({ start: t.start + (rnd() - 0.5) * 0.12, end: t.end + (rnd() - 0.5) * 0.12 }))],
    ['loose (−0.15 s, +0.6 s)', loose],
  ];
  for (const [name, cues] of correct) out.push({ kind: 'correct', name, cues, reference: spans, truth: cues, expect: 'unchanged' });
  for (const seed of [1, 2, 3, 4, 5]) {
    // Another film's subtitle: the same lines with their order and pauses redrawn.
    const r = random(seed);
    const order = truth.map((_, i) => i).sort(() => r() - 0.5);
    let t = 2 + r() * 10;
    const cues = order.map((i) => {
      const len = truth[i].end - truth[i].start;
      const cue = { start: t, end: t + len };
      t += len + 0.25 + r() * (r() < 0.1 ? 12 : 1);
      return cue;
    });
    out.push({ kind: 'other film', name: `seed ${seed}`, cues, reference: spans, truth: cues.map(() => null), expect: 'refusal' });
  }
  return out;
}

interface Row {
  cues: number;
  within100: number;
  within400: number;
  cases: number;
  right: number;
  changedGood: number;
  ms: number;
  verdicts: Map<string, number>;
}

function judgeCase(k: Case, plan: SyncPlan, row: Row): void {
  const out = applyPlan(k.cues, plan);
  k.truth.forEach((t, i) => {
    if (!t) return;
    row.cues++;
    const err = Math.max(Math.abs(out[i].start - t.start), Math.abs(out[i].end - t.end));
    if (err <= 0.1) row.within100++;
    if (err <= 0.4) row.within400++;
  });
  const v = plan.verdict === 'refused' ? `refused:${plan.refusal?.code}` : plan.verdict;
  row.verdicts.set(v, (row.verdicts.get(v) ?? 0) + 1);
  row.cases++;
  row.ms += plan.elapsedMs;
  const judged = k.truth.filter((t) => t).length;
  const tol = k.tolerance ?? 0.1;
  const fixedWell = plan.verdict === 'fix' && out.filter((c, i) => k.truth[i] && Math.abs(c.start - k.truth[i]!.start) <= tol).length >= 0.95 * judged;
  if (k.expect === 'unchanged') {
    if (plan.verdict !== 'in_sync') row.changedGood += plan.verdict === 'fix' ? 1 : 0;
    if (plan.verdict === 'in_sync') row.right++;
  } else if (k.expect === 'refusal') row.right += plan.verdict === 'refused' ? 1 : 0;
  else if (k.expect === 'fix_or_refusal') row.right += plan.verdict === 'refused' || fixedWell ? 1 : 0;
  else row.right += fixedWell ? 1 : 0;
}

/** Child mode: plan one case from a JSON file and print time and peak memory. */
function planChild(file: string): void {
  const { cues, reference } = JSON.parse(readFileSync(file, 'utf8')) as { cues: TimeSpan[]; reference: TimeSpan[] };
  const before = process.memoryUsage().rss;
  const t0 = performance.now();
  const plan = planSync(cues, reference);
  const ms = performance.now() - t0;
  const ru = process.resourceUsage();
  console.log(JSON.stringify({ ms, maxRssMb: ru.maxRSS / 1024, startRssMb: before / 2 ** 20, verdict: plan.verdict, blocks: plan.blocks.length, offset: plan.offset }));
}

/** The corpus tiled to two hours (spans and cues alike), damaged by +12.3 s and an ad break at the middle. */
function film(c: Corpus): { cues: TimeSpan[]; reference: TimeSpan[]; correct: TimeSpan[] } {
  const period = c.seconds;
  const times = Math.ceil(7200 / period);
  const tile = (xs: TimeSpan[]) => Array.from({ length: times }, (_, k) => xs.map((s) => move(s, k * period))).flat().filter((s) => s.end <= 7200);
  const correct = tile(c.truth);
  const spans = tile(c.spans);
  const reference = spans.map((s) => (s.start >= 3600 ? move(s, 30) : s));
  return { cues: correct.map((s) => move(s, 12.3)), reference, correct };
}

async function main(): Promise<void> {
  if (process.argv[2] === '--plan') return planChild(process.argv[3]);
  const corpus = await buildCorpus((l) => console.log(l));
  console.log(`corpus: ${corpus.truth.length} true cues over ${(corpus.seconds / 60).toFixed(1)} min, ${corpus.spans.length} Silero spans (${corpus.dir})`);
  const rows = new Map<string, Row>();
  for (const k of cases(corpus)) {
    const row = rows.get(k.kind) ?? { cues: 0, within100: 0, within400: 0, cases: 0, right: 0, changedGood: 0, ms: 0, verdicts: new Map() };
    rows.set(k.kind, row);
    const plan = planSync(k.cues, k.reference);
    judgeCase(k, plan, row);
    const f = plan.found;
    const found = f ? ` found ratio ${f.ratio.toFixed(4)}, ${f.blocks.map((b) => b.offset.toFixed(2)).join('/')} s, quality ${f.quality.toFixed(3)} (chance ${f.chanceQuality.toFixed(3)})` : '';
    console.log(`  ${k.kind.padEnd(10)} ${k.name.padEnd(24)} ${plan.verdict.padEnd(8)} ${plan.refusal?.code ?? ''}${found}; score ${plan.scoreBefore.toFixed(3)} -> ${plan.scoreAfter.toFixed(3)}, ${plan.elapsedMs.toFixed(0)} ms`);
  }
  console.log('\nkind        cases  right  within 100 ms  within 400 ms  good changed  mean ms  verdicts');
  const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)} %` : '-');
  for (const [kind, r] of rows) {
    const v = [...r.verdicts].map(([k, n]) => `${k} ${n}`).join(', ');
    console.log(`${kind.padEnd(11)} ${String(r.cases).padStart(5)}  ${String(r.right).padStart(5)}  ${pct(r.within100, r.cues).padStart(13)}  ${pct(r.within400, r.cues).padStart(13)}  ${String(r.changedGood).padStart(12)}  ${(r.ms / r.cases).toFixed(0).padStart(7)}  ${v}`);
  }

  const f = film(corpus);
  const file = join(corpus.dir, 'film-2h.json');
  writeFileSync(file, JSON.stringify({ cues: f.cues, reference: f.reference }));
  const child = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--plan', file], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`2-hour plan failed: ${child.stderr}`);
  const big = JSON.parse(child.stdout.trim().split('\n').pop()!) as { ms: number; maxRssMb: number; startRssMb: number; verdict: string; blocks: number };
  console.log(`\n2-hour film: ${f.cues.length} cues, 720,000 bins: planned in ${(big.ms / 1000).toFixed(2)} s, peak RSS ${big.maxRssMb.toFixed(0)} MB (process ${big.startRssMb.toFixed(0)} MB before), verdict ${big.verdict}, ${big.blocks} blocks`);

  const goal = (ok: boolean, text: string) => console.log(`${ok ? 'PASS' : 'FAIL'} ${text}`);
  const share = (kind: string) => (rows.get(kind)!.within100 / rows.get(kind)!.cues) * 100;
  console.log('');
  goal(share('offset') >= 95, `offsets: ${share('offset').toFixed(1)} % of cues within 100 ms (goal >= 95 %)`);
  const loose = rows.get('loose cues')!;
  const loose400 = (loose.within400 / loose.cues) * 100;
  goal(loose400 >= 95, `offsets of loose cues: ${loose400.toFixed(1)} % within 400 ms (goal >= 95 %; where a cue's padding is unknown its exact place is too)`);
  goal(share('frame rate') >= 95, `frame rates: ${share('frame rate').toFixed(1)} % within 100 ms (goal >= 95 %)`);
  goal(share('ad break') >= 90, `ad breaks: ${share('ad break').toFixed(1)} % within 100 ms (goal >= 90 %)`);
  const cut = rows.get('cut start')!;
  goal(cut.right === cut.cases, `start cut: ${cut.right}/${cut.cases} right (40 s fixed; 60 s, the window's edge, fixed or refused)`);
  const good = rows.get('correct')!;
  goal(good.changedGood === 0 && good.right === good.cases, `good subtitles: ${good.changedGood} changed, ${good.right}/${good.cases} in_sync (goal 0 changed)`);
  const other = rows.get('other film')!;
  goal(other.right === other.cases, `other film: ${other.right}/${other.cases} refused (goal all)`);
  goal(big.ms < 15_000, `2-hour film planned in ${(big.ms / 1000).toFixed(2)} s (goal < 15 s)`);
  goal(big.maxRssMb < 300, `2-hour film peak RSS ${big.maxRssMb.toFixed(0)} MB (goal < 300 MB)`);
}

await main();
