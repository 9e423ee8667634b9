/**
 * Provider under load: N identical Bazarr-style /asr requests (raw PCM of
 * jfk.wav looped to BENCH_SECONDS, minimal test model) at once, while /health
 * is probed every 20 ms. Prints the jobs created, the request time and the
 * /health latency figures (target: p95 and max under 100 ms).
 *
 *   npx tsx bench/provider-concurrency.ts
 *   BENCH_REQUESTS=10 BENCH_SECONDS=60 npx tsx bench/provider-concurrency.ts
 */
import { audioPart, jfkPcm, listen, multipart, post, providerApp, startWorker } from '../test/provider/provider-helpers.js';

const requests = Number(process.env.BENCH_REQUESTS ?? 5);
const seconds = Number(process.env.BENCH_SECONDS ?? 11);

const app = await providerApp();
try {
  await startWorker(app);
  const base = await listen(app);
  const one = jfkPcm();
  const pcm = Buffer.concat(Array.from({ length: Math.max(1, Math.round(seconds / 11)) }, () => one));
  const { body, contentType } = multipart([audioPart(pcm)]);
  const url = `${base}/asr?encode=false&task=transcribe&language=en&output=srt`;
  let running = true;
  const health: number[] = [];
  const probe = (async () => {
    while (running) {
      const t0 = performance.now();
      await (await fetch(`${base}/health`)).arrayBuffer();
      health.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const t0 = performance.now();
  const answers = await Promise.all(Array.from({ length: requests }, () => post(url, body, contentType)));
  const wall = performance.now() - t0;
  running = false;
  await probe;
  const jobs = await app.ctx.database.db.selectFrom('jobs').select('id').where('job_type', '=', 'provider_asr').execute();
  const sorted = health.sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))].toFixed(1);
  console.log(`requests: ${requests} identical, audio ${(pcm.length / 32000).toFixed(0)} s`);
  console.log(`statuses: ${answers.map((a) => a.status).join(',')}; distinct bodies: ${new Set(answers.map((a) => a.body)).size}; jobs created: ${jobs.length}`);
  console.log(`wall time for all answers: ${(wall / 1000).toFixed(2)} s`);
  console.log(`/health during the run: n=${sorted.length} p50=${pct(0.5)} ms p95=${pct(0.95)} ms max=${sorted.at(-1)!.toFixed(1)} ms`);
} finally {
  await app.close();
}
