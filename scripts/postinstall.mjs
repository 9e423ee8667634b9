// Steps that `npm install` runs after the dependencies are in place.
//
// Builds the whisper.cpp engine (scripts/build-whisper.mjs). A failed build
// must not fail the install: the server, the API and the UI work without it,
// and the engine itself reports the missing build with the command to run.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const r = spawnSync(process.execPath, [join(here, 'build-whisper.mjs')], { stdio: 'inherit' });
if (r.status !== 0) {
  const bar = '!'.repeat(72);
  process.stderr.write(
    `\n${bar}\n` +
      'WARNING: the whisper.cpp engine could not be built (see the messages above).\n' +
      'TranscriptorIO installs and starts, but transcription will fail until it is built.\n' +
      'Install cmake and a C++ compiler (e.g. `apt install cmake g++`), then run:\n' +
      '    npm run build:whisper\n' +
      `${bar}\n\n`,
  );
}
