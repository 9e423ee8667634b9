import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progressLine } from './progress-display.js';

test('the progress line never passes the terminal width, from 20 to 200 columns, whatever the name and stage', () => {
  const long = 'A film whose title goes on well past any terminal (2024) S01E02 Bluray 2160p.mkv';
  for (let cols = 20; cols <= 200; cols++) {
    for (const [file, stage, eta] of [[long, 'transcribing', 3725], ['a.mkv', 'extracting_audio', null], [long, 'x'.repeat(300), 5]] as const) {
      const line = progressLine(cols, file, 42, stage, eta);
      assert.ok(line.length <= cols - 1, `${cols} columns: ${line.length} characters: ${line}`);
      assert.match(line, /\[[█░]+\]\s+42%/);
    }
  }
});

test('at 80 columns a short name, the bar, the percentage, the stage and the ETA all show in full', () => {
  const line = progressLine(80, 'Movie.mkv', 50, 'transcribing', 95);
  assert.match(line, /^Movie\.mkv \[█+░+\] {2}50% transcribing · ETA 1m35s$/);
  assert.ok(line.length <= 79);
});

test('a long name keeps its end (the episode and extension), shortened from the start', () => {
  const line = progressLine(80, 'A very long series name that goes on S03E07.mkv', 0, 'starting', null);
  assert.match(line, /^….*S03E07\.mkv \[/);
});
