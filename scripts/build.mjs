// `npm run build`: compiles the server (src/ -> dist/) and the web UI
// (web/ -> web/dist/). Both are incremental, so `npm start` stays quick.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

function run(label, cmd, args) {
  process.stdout.write(`transcriptorio: building ${label}...\n`);
  const res = spawnSync(cmd, args, { stdio: 'inherit' });
  if (res.status !== 0) {
    console.error(`transcriptorio: building ${label} failed (exit ${res.status})`);
    process.exit(res.status ?? 1);
  }
}

run('the server', process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--incremental', '--tsBuildInfoFile', 'dist/.tsbuildinfo']);
if (existsSync('web/vite.config.ts')) run('the web UI', 'npm', ['run', '--silent', 'build:web']);
