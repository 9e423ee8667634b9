/**
 * The aligner on real speech: Silero's spans of jfk.wav tiled to a few
 * minutes are the reference, cues made from them are the truth, and damaged
 * copies (offset, frame rate, an inserted ad break) must come back to it. The
 * quality gate refuses what it cannot fix surely, each for its own reason.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPlan, describePlan, planSync, type SyncPlan, type TimeSpan } from '../../src/sync/index.js';
import { FPS_23_976 } from '../../src/sync/ratios.js';
import { engineSkip } from '../engine/helpers.js';
import { cuesFromSpans, tiledJfkSpans } from './jfk-reference.js';

const skip = engineSkip();

const shift = (cues: TimeSpan[], by: number, from = 0): TimeSpan[] =>
  cues.map((c, i) => (i >= from ? { start: c.start + by, end: c.end + by } : { ...c }));
const scale = (cues: TimeSpan[], by: number): TimeSpan[] => cues.map((c) => ({ start: c.start * by, end: c.end * by }));

/** Share of cues whose corrected start and end both lie within 0.1 s of the truth. */
function accuracy(cues: TimeSpan[], plan: SyncPlan, truth: TimeSpan[]): number {
  const out = applyPlan(cues, plan);
  return out.filter((c, i) => Math.abs(c.start - truth[i].start) <= 0.1 && Math.abs(c.end - truth[i].end) <= 0.1).length / out.length;
}

function refused(plan: SyncPlan, code: string): void {
  assert.equal(plan.verdict, 'refused', describePlan(plan));
  assert.equal(plan.refusal?.code, code, plan.refusal?.message);
  assert.ok(plan.refusal!.message.length > 40, 'the refusal says why in words');
  assert.equal(plan.scoreAfter, plan.scoreBefore);
}

describe('aligner on Silero spans of real speech', { skip }, () => {
  let spans: TimeSpan[] = [];
  let truth: TimeSpan[] = [];

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tio-sync-'));
    try {
      spans = await tiledJfkSpans(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    truth = cuesFromSpans(spans);
    assert.ok(spans.length >= 60, `${spans.length} speech spans`);
    assert.ok(spans[spans.length - 1].end > 240, 'the reference lasts over 4 minutes');
  });

  test('a subtitle already in sync is in_sync and applyPlan gives its times back unchanged', () => {
    const plan = planSync(truth, spans);
    assert.equal(plan.verdict, 'in_sync', describePlan(plan));
    assert.equal(plan.refusal, null);
    assert.equal(plan.offset, 0);
    assert.equal(plan.ratio, 1);
    assert.deepEqual(applyPlan(truth, plan), truth);
    assert.equal(describePlan(plan), 'in sync');
  });

  for (const offset of [3.2, -20]) {
    test(`a subtitle off by ${offset} s is shifted back: 95 % of cues within 0.1 s`, () => {
      const damaged = shift(truth, offset);
      const plan = planSync(damaged, spans);
      assert.equal(plan.verdict, 'fix', describePlan(plan));
      assert.equal(plan.ratio, 1);
      assert.equal(plan.blocks.length, 1);
      assert.ok(Math.abs(plan.offset + offset) <= 0.1, `offset ${plan.offset}`);
      assert.ok(plan.scoreAfter - plan.scoreBefore >= 0.05, `${plan.scoreBefore} -> ${plan.scoreAfter}`);
      assert.ok(accuracy(damaged, plan, truth) >= 0.95);
      assert.match(describePlan(plan), offset > 0 ? /late — shift by −/ : /early — shift by \+/);
    });
  }

  test('a subtitle made for 25 fps is stretched by 25/23.976: 95 % of cues within 0.1 s', () => {
    const damaged = shift(scale(truth, FPS_23_976 / 25), 0.4);
    const plan = planSync(damaged, spans);
    assert.equal(plan.verdict, 'fix', describePlan(plan));
    assert.ok(Math.abs(plan.ratio - 25 / FPS_23_976) < 1e-9, `ratio ${plan.ratio}`);
    assert.ok(accuracy(damaged, plan, truth) >= 0.95);
    assert.match(describePlan(plan), /^made for 25 fps — stretched to 23\.976 and shifted by/);
  });

  test('an ad break (later cues 30 s late) is fixed in two parts: 90 % of cues within 0.1 s', () => {
    const at = Math.floor(truth.length / 2);
    const damaged = shift(truth, 30, at);
    const plan = planSync(damaged, spans);
    assert.equal(plan.verdict, 'fix', describePlan(plan));
    assert.equal(plan.blocks.length, 2, JSON.stringify(plan.blocks));
    assert.equal(plan.blocks[1].firstCue, at);
    assert.ok(Math.abs(plan.blocks[1].offset + 30) <= 0.1);
    assert.ok(accuracy(damaged, plan, truth) >= 0.9);
    assert.match(describePlan(plan), /^2 parts: /);
  });

  test('refusal no_cues: nothing timed to align', () => {
    refused(planSync([], spans), 'no_cues');
    refused(planSync([{ start: 5, end: 5 }], spans), 'no_cues');
  });

  test('refusal no_reference: no speech to align against', () => {
    refused(planSync(truth, []), 'no_reference');
  });

  test('refusal small_gain: a subtitle of other speech matches no offset clearly', () => {
    // The same cues with their order of lengths and pauses scrambled: a subtitle of another film.
    const other: TimeSpan[] = [];
    let t = 1;
    for (let i = 0; i < truth.length; i++) {
      const c = truth[(i * 37) % truth.length];
      other.push({ start: t, end: t + (c.end - c.start) });
      t += c.end - c.start + 0.4 + ((i * 53) % 17) / 5;
    }
    const plan = planSync(other, spans);
    refused(plan, 'small_gain');
    assert.deepEqual(applyPlan(other, plan), other);
  });

  test('refusal offset_at_bound: the best match lies at the edge of the window', () => {
    const plan = planSync(shift(truth, 20.3), spans, { maxOffsetSeconds: 20 });
    refused(plan, 'offset_at_bound');
    assert.match(plan.refusal!.message, /sync_max_offset_seconds/);
  });

  test('refusal nonstandard_ratio: a drift no frame-rate change explains', () => {
    refused(planSync(scale(truth, 1 / 1.02), spans), 'nonstandard_ratio');
  });

  test('refusal thin_block: a split whose part lies over too little speech', () => {
    // 5 s late throughout, and the last three cues 30 s later still: the second part is a few seconds of speech.
    const damaged = shift(shift(truth, 5), 30, truth.length - 3);
    const plan = planSync(damaged, spans);
    refused(plan, 'thin_block');
    assert.equal(plan.found?.blocks.length, 2);
    assert.match(plan.refusal!.message, /part 2 \(cues \d+-\d+\)/);
  });
});
