/**
 * Per-file progress of `transcriptorio transcribe` on a terminal: one bar that
 * always fits the terminal's width (measured at each redraw, so a resize is
 * followed), and finished files as full lines above it (a result or an error
 * is never cut or overwritten by the bar). Without a terminal (a pipe, a log
 * file, CI) each file gets plain lines at its stage changes instead.
 */
import { basename } from 'node:path';
import cliProgress from 'cli-progress';

interface FileProgress {
  update(percent: number, stage: string, etaSeconds: number | null): void;
  /** the file is finished: its line goes above the bar, in full */
  done(line: string): void;
  failed(reason: string): void;
}

interface ProgressDisplay {
  start(file: string): FileProgress;
  stop(): void;
}

/** Shortens from the start: the end of a file name says most (`…S01E02.mkv`). */
function fitStart(s: string, max: number): string {
  if (max <= 0) return '';
  return s.length <= max ? s : `…${s.slice(s.length - max + 1)}`;
}

function fitEnd(s: string, max: number): string {
  if (max <= 0) return '';
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/**
 * One progress line of at most `columns - 1` characters (the last column is
 * left free so the terminal never wraps it): the file name, the bar, the
 * percentage, then the stage and the ETA as far as they fit.
 */
export function progressLine(columns: number, file: string, percent: number, stage: string, etaSeconds: number | null): string {
  const width = Math.max(12, (Number.isFinite(columns) && columns > 0 ? columns : 80) - 1);
  const pct = `${Math.max(0, Math.min(100, Math.round(percent)))}%`.padStart(4);
  const tailFull = etaSeconds !== null && etaSeconds > 0 ? ` ${stage} · ETA ${formatEta(etaSeconds)}` : ` ${stage}`;
  const name = fitStart(file, Math.min(30, Math.max(8, Math.floor(width * 0.3))));
  // name + ' [' + bar + '] ' + pct + tail
  const room = width - name.length - 4 - pct.length;
  const bar = Math.max(3, Math.min(40, room - Math.min(tailFull.length, Math.max(0, room - 10))));
  const tail = fitEnd(tailFull, width - name.length - 4 - pct.length - bar);
  const filled = Math.round((bar * Math.max(0, Math.min(100, percent))) / 100);
  return `${name} [${'█'.repeat(filled)}${'░'.repeat(bar - filled)}] ${pct}${tail.length > 1 ? tail : ''}`.slice(0, width);
}

function formatEta(s: number): string {
  const t = Math.round(s);
  if (t < 60) return `${t}s`;
  if (t < 3600) return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s`;
  return `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}m`;
}

export function progressDisplay(stream: NodeJS.WriteStream = process.stderr): ProgressDisplay {
  if (!stream.isTTY) {
    return {
      start(file) {
        let last = '';
        return {
          update(p, stage) {
            if (stage === last) return;
            last = stage;
            stream.write(`${file}: ${stage} ${Math.round(p)}%\n`);
          },
          done: (line) => void stream.write(`${file}: ${line}\n`),
          failed: (reason) => void stream.write(`${file}: failed: ${reason}\n`),
        };
      },
      stop() {},
    };
  }
  const bars = new cliProgress.MultiBar({
    stream,
    // Measured at each redraw: the line always fits the terminal as it is now.
    format: (_o, params, payload: { file: string; stage: string; eta: number | null }) =>
      progressLine(stream.columns ?? process.stdout.columns ?? 80, payload.file, params.progress * 100, payload.stage, payload.eta),
    hideCursor: true,
    clearOnComplete: true,
    // The terminal keeps wrapping long lines (finished files' lines are printed in full); the bar itself always fits.
    linewrap: true,
  });
  return {
    start(file) {
      const name = basename(file);
      const bar = bars.create(100, 0, { file: name, stage: 'starting', eta: null });
      const finish = (line: string) => {
        bars.remove(bar);
        bars.log(`${line}\n`);
        bars.update();
      };
      return {
        update: (p, stage, eta) => bar.update(p, { file: name, stage, eta }),
        done: (line) => finish(`✔ ${name}: ${line}`),
        failed: (reason) => finish(`✖ ${name}: failed: ${reason}`),
      };
    },
    stop: () => bars.stop(),
  };
}
