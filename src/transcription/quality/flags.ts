/** The flagged cues of a report: reasons and sentences per written cue, gathered by each signal, listed once. */
import type { Segment } from '../types.js';
import type { FlagReason, FlaggedCue, QualityInput } from './types.js';

export class Flags {
  private readonly reasons: Array<FlagReason[] | undefined>;
  private readonly details: Array<string[] | undefined>;
  readonly suppressed: FlaggedCue[] = [];

  constructor(n: number) {
    this.reasons = new Array(n);
    this.details = new Array(n);
  }

  add(cue: number, reason: FlagReason, detail: string): void {
    const r = (this.reasons[cue] ??= []);
    if (r.includes(reason)) return;
    r.push(reason);
    (this.details[cue] ??= []).push(detail);
  }

  list(cues: Segment[], input: QualityInput): FlaggedCue[] {
    const out: FlaggedCue[] = [];
    cues.forEach((c, index) => {
      const reasons = this.reasons[index];
      if (reasons) out.push({ index, start: c.start, end: c.end, text: c.text, reasons, details: this.details[index]! });
    });
    for (const s of input.suppressed) {
      if (s.reason === 'stock_phrase' && s.text.trim()) {
        out.push({ index: null, start: s.start, end: s.end, text: s.text, reasons: ['stock_phrase'], details: ['removed: a stock phrase Whisper writes where nobody speaks'] });
      }
    }
    return out.sort((a, b) => a.start - b.start || a.end - b.end);
  }
}

