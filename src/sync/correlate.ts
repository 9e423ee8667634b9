/**
 * Cross-correlation of a cue mask with the reference speech mask by FFT
 * (fft.js): for every lag in ±maxLag bins, how many cue bins land on speech.
 * The reference's spectrum is computed once and reused for every candidate
 * frame-rate ratio.
 */
import FFT from 'fft.js';
import { curvePeak } from './peak.js';

export interface Correlation {
  /** matched[lag + maxLag]: cue bins over speech when the cues move by `lag` bins. */
  matched: Int32Array;
  maxLag: number;
}

export class ReferenceCorrelator {
  readonly maxLag: number;
  /** Longest mask (bins) this correlator takes. */
  readonly maxLength: number;
  private readonly size: number;
  private readonly fft: FFT;
  private readonly refSpectrum: Float64Array;
  private readonly input: Float64Array;
  private readonly spectrum: Float64Array;
  private readonly result: Float64Array;

  /**
   * `length`: the longest mask that will be correlated (reference included).
   * The circular FFT is made long enough (length + maxLag, to a power of two)
   * that no lag in the window wraps around onto real bins.
   */
  constructor(reference: Uint8Array, length: number, maxLag: number) {
    this.maxLag = maxLag;
    const need = Math.max(length, reference.length) + maxLag + 1;
    let size = 2;
    while (size < need) size *= 2;
    this.size = size;
    this.maxLength = size - maxLag - 1;
    this.fft = new FFT(size);
    this.input = new Float64Array(size);
    this.spectrum = new Float64Array(2 * size);
    this.result = new Float64Array(2 * size);
    this.refSpectrum = new Float64Array(2 * size);
    this.transform(reference, this.refSpectrum);
  }

  private transform(mask: Uint8Array, out: Float64Array): void {
    if (mask.length > this.maxLength) throw new RangeError(`mask of ${mask.length} bins is longer than ${this.maxLength}`);
    this.input.fill(0);
    for (let i = 0; i < mask.length; i++) this.input[i] = mask[i];
    this.fft.realTransform(out, this.input);
    this.fft.completeSpectrum(out);
  }

  /** Matched bins for every lag in [-maxLag, maxLag]: sum over t of cue[t] * ref[t + lag]. */
  correlate(cueMask: Uint8Array): Correlation {
    const spec = this.spectrum;
    const ref = this.refSpectrum;
    this.transform(cueMask, spec);
    // conj(C) * R: the correlation, not the convolution.
    for (let i = 0; i < spec.length; i += 2) {
      const cr = spec[i];
      const ci = spec[i + 1];
      const rr = ref[i];
      const ri = ref[i + 1];
      spec[i] = cr * rr + ci * ri;
      spec[i + 1] = cr * ri - ci * rr;
    }
    this.fft.inverseTransform(this.result, spec);
    const w = this.maxLag;
    const matched = new Int32Array(2 * w + 1);
    for (let lag = -w; lag <= w; lag++) {
      const idx = lag >= 0 ? lag : this.size + lag;
      matched[lag + w] = Math.round(this.result[2 * idx]);
    }
    return { matched, maxLag: w };
  }
}

/** The best lag of a correlation (ties: nearest 0, then the plateau's middle) and its z. */
export function findPeak(c: Correlation): Peak {
  const p = curvePeak(c.matched, c.maxLag);
  return { lag: p.index - c.maxLag, matched: p.value, z: p.z };
}

export interface Peak {
  lag: number;
  matched: number;
  /** (best - mean) / standard deviation over the window; 0 when the window is flat. */
  z: number;
}
