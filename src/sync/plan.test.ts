import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judge, type GateInput } from './gate.js';
import { applyPlan, describePlan, planSync, speechMask, syncScore, timeOrder, type SyncPlan, type TimeSpan } from './index.js';
import { DEFAULT_SYNC_SETTINGS } from './types.js';

/** Speech of varied lengths and pauses over `seconds`, as Silero would give it. */
function speech(seconds: number): TimeSpan[] {
  let s = 7;
  const next = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const out: TimeSpan[] = [];
  for (let t = 1; t < seconds; ) {
    const len = 0.6 + next() * 3;
    out.push({ start: t, end: t + len });
    t += len + 0.3 + next() * (next() < 0.2 ? 8 : 1.5);
  }
  return out;
}

const plan = (p: Partial<SyncPlan>): SyncPlan => ({
  verdict: 'fix', refusal: null, ratio: 1, offset: 0, blocks: [], scoreBefore: 0.5, scoreAfter: 0.9, elapsedMs: 1, ...p,
});

test('cues out of time order (as in ASS) are planned in time order and moved in their own order', () => {
  const ref = speech(300);
  const truth = ref.map((s) => ({ start: s.start - 0.05, end: s.end + 0.05 }));
  const late = truth.map((c) => ({ start: c.start + 4, end: c.end + 4 }));
  const shuffled = late.map((_, i) => late[(i * 7) % late.length]);
  assert.equal(new Set(shuffled).size, late.length, 'a permutation');
  const p = planSync(shuffled, ref);
  assert.equal(p.verdict, 'fix', describePlan(p));
  assert.equal(p.offset, -4);
  const out = applyPlan(shuffled, p);
  out.forEach((c, i) => assert.ok(Math.abs(c.start - (shuffled[i].start - 4)) < 1e-9 && Math.abs(c.end - (shuffled[i].end - 4)) < 1e-9));
  assert.deepEqual(timeOrder([{ start: 3, end: 4 }, { start: NaN, end: 1 }, { start: 1, end: 2 }, { start: 1, end: 5 }]), [2, 3, 0, 1]);
});

test('applyPlan: identity for in_sync and refused; a fix moved before 0 is cut at 0', () => {
  const cues = [{ start: 1, end: 2 }, { start: 5, end: 6 }];
  for (const verdict of ['in_sync', 'refused'] as const) {
    const out = applyPlan(cues, plan({ verdict, blocks: [{ firstCue: 0, lastCue: 1, offset: 3 }] }));
    assert.deepEqual(out, cues);
    assert.notEqual(out[0], cues[0], 'copies, not the caller\'s objects');
  }
  const out = applyPlan(cues, plan({ blocks: [{ firstCue: 0, lastCue: 0, offset: -1.5 }, { firstCue: 1, lastCue: 1, offset: -5.5 }], ratio: 2 }));
  assert.deepEqual(out, [{ start: 0.5, end: 2.5 }, { start: 4.5, end: 6.5 }]);
  assert.deepEqual(applyPlan([{ start: 1, end: 2 }], plan({ blocks: [{ firstCue: 0, lastCue: 0, offset: -3 }] })), [{ start: 0, end: 0 }]);
});

test('settings that are not finite non-negative numbers fall back to the defaults', () => {
  const ref = speech(200);
  const cues = ref.map((s) => ({ start: s.start + 20, end: s.end + 20 }));
  // maxOffsetSeconds NaN -> 60: the 20 s shift is found.
  const p = planSync(cues, ref, { maxOffsetSeconds: NaN, minGain: -1, splitPenalty: Infinity });
  assert.equal(p.verdict, 'fix', describePlan(p));
  assert.equal(p.offset, -20);
});

test('scores: syncScore is the share of cue time over speech; speechMask has 100 bins a second', () => {
  assert.equal(syncScore([{ start: 0, end: 2 }], [{ start: 1, end: 3 }]), 0.5);
  const mask = speechMask([{ start: 0.5, end: 1 }], 2);
  assert.equal(mask.length, 200);
  assert.equal(mask.reduce((a, b) => a + b, 0), 50);
});

test('describePlan: one line for each kind of plan', () => {
  assert.equal(describePlan(plan({ verdict: 'in_sync' })), 'in sync');
  assert.equal(describePlan(plan({ blocks: [{ firstCue: 0, lastCue: 9, offset: -3.2 }], offset: -3.2 })), '3.2 s late — shift by −3.2 s');
  assert.equal(describePlan(plan({ blocks: [{ firstCue: 0, lastCue: 9, offset: 20 }], offset: 20 })), '20.0 s early — shift by +20.0 s');
  assert.equal(describePlan(plan({ blocks: [{ firstCue: 0, lastCue: 9, offset: -7.35 }], offset: -7.35 })), '7.4 s late — shift by −7.4 s');
  assert.equal(
    describePlan(plan({ ratio: 25 / (24000 / 1001), blocks: [{ firstCue: 0, lastCue: 9, offset: 0.4 }], offset: 0.4 })),
    'made for 25 fps — stretched to 23.976 and shifted by +0.4 s',
  );
  assert.equal(
    describePlan(plan({ ratio: 24 / 25, blocks: [{ firstCue: 0, lastCue: 9, offset: 0 }] })),
    'made for 24 fps — compressed to 25 and shifted by +0.0 s',
  );
  assert.equal(
    describePlan(plan({ blocks: [{ firstCue: 0, lastCue: 9, offset: 0 }, { firstCue: 10, lastCue: 20, offset: 30, from: 2470 }] })),
    '2 parts: shift by +0.0 s, then from 41:10 by +30.0 s',
  );
  const refusal = { code: 'small_gain' as const, message: 'No shift fits better.' };
  assert.equal(describePlan(plan({ verdict: 'refused', refusal })), 'No shift fits better.');
});

test('the gate: jitter is in sync, a small gain near the subtitle is in sync, far away it is refused', () => {
  const base: GateInput = {
    settings: DEFAULT_SYNC_SETTINGS,
    scoreBefore: 0.8,
    scoreAfter: 0.82,
    blocks: [{ first: 0, last: 99, offset: 0.2, speechSeconds: 100 }],
    displacement: 0.2,
    quality: 0.64,
    chanceQuality: 0.1,
    chanceScore: 0.6,
    drift: null,
  };
  assert.deepEqual(judge({ ...base, displacement: 0.04, scoreAfter: 0.95 }), { verdict: 'in_sync' });
  assert.deepEqual(judge(base), { verdict: 'in_sync' });
  assert.equal(judge({ ...base, displacement: 12, blocks: [{ ...base.blocks[0], offset: 12 }] }).verdict, 'refused');
  assert.deepEqual(judge({ ...base, scoreAfter: 0.9 }), { verdict: 'fix' });
});

test('the gate refuses, in this order: drift, chance, window edge, small gain, thin block', () => {
  const base: GateInput = {
    settings: DEFAULT_SYNC_SETTINGS,
    scoreBefore: 0.5,
    scoreAfter: 0.9,
    blocks: [
      { first: 0, last: 49, offset: 0, speechSeconds: 80 },
      { first: 50, last: 99, offset: 30, speechSeconds: 70 },
    ],
    displacement: 30,
    quality: 0.8,
    chanceQuality: 0.1,
    chanceScore: 0.6,
    drift: { chunks: 8, driftSeconds: 0.3, residualSeconds: 0.1, slope: 0 },
  };
  const code = (g: Partial<GateInput>) => {
    const r = judge({ ...base, ...g });
    return r.verdict === 'refused' ? r.code : r.verdict;
  };
  assert.equal(code({}), 'fix');
  assert.equal(code({ drift: { chunks: 8, driftSeconds: 4.8, residualSeconds: 0.2, slope: 0.0002 } }), 'nonstandard_ratio');
  assert.equal(code({ drift: { chunks: 8, driftSeconds: 4.8, residualSeconds: 3, slope: 0.0002 } }), 'fix');
  assert.equal(code({ chanceQuality: 0.6 }), 'small_gain');
  assert.match((judge({ ...base, chanceQuality: 0.6 }) as { message: string }).message, /chance/);
  assert.equal(code({ blocks: [base.blocks[0], { ...base.blocks[1], offset: 59.995 }] }), 'offset_at_bound');
  assert.equal(code({ scoreAfter: 0.54 }), 'small_gain');
  assert.equal(code({ blocks: [base.blocks[0], { ...base.blocks[1], speechSeconds: 9 }] }), 'thin_block');
  const thin = judge({ ...base, blocks: [base.blocks[0], { ...base.blocks[1], speechSeconds: 9 }] });
  assert.ok(thin.verdict === 'refused' && /part 2 \(cues 51-100\)/.test(thin.message), JSON.stringify(thin));
});

test('a cue at an absurd time neither blows the masks up nor spoils the plan for the others', () => {
  const ref = speech(200);
  const cues = [...ref.map((s) => ({ start: s.start + 2, end: s.end + 2 })), { start: 1e9, end: 1e9 + 2 }];
  const before = process.memoryUsage().rss;
  const p = planSync(cues, ref);
  assert.ok(process.memoryUsage().rss - before < 200 * 2 ** 20, 'no mask of 10^11 bins');
  assert.equal(p.verdict, 'fix', describePlan(p));
  assert.equal(p.offset, -2);
});
