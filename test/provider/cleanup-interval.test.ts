/**
 * provider_cleanup_interval_minutes takes effect when it changes: the next
 * clean-up follows the new interval instead of waiting out the timer of the
 * old one. A minute is shortened to a few milliseconds (the component's
 * `minuteMs`); the runs are observed through the component's nextRun(), never
 * by sleeping.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { providerCleanupComponent } from '../../src/provider/provider.cleanup.js';
import { uploadDir } from '../../src/provider/provider.upload.js';
import { createTestApp } from '../helpers/app.js';

const MINUTE_MS = 20;

test('a changed provider_cleanup_interval_minutes reschedules the next clean-up at once, and later runs keep the new interval', { timeout: 20_000 }, async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  const { settings, config } = app.ctx;
  // The longest interval: 1440 "minutes" of 20 ms, the next run 28.8 s after the first.
  await settings.update('provider_cleanup_interval_minutes', 1440);
  const cleanup = providerCleanupComponent(app.ctx, { minuteMs: MINUTE_MS });
  t.after(() => cleanup.stop());

  const first = cleanup.nextRun();
  await cleanup.start();
  assert.ok(await first, 'the first run at start');
  assert.ok((cleanup.nextRunDelayMs() ?? 0) > 20_000, `the old interval is in force: ${cleanup.nextRunDelayMs()} ms`);

  // A stray upload the next run removes: the run that follows the change does real work.
  const dir = uploadDir(config.dataDir);
  mkdirSync(dir, { recursive: true });
  const stray = join(dir, 'stray-upload');
  writeFileSync(stray, 'audio');
  const old = new Date(Date.now() - 3_600_000);
  utimesSync(stray, old, old);

  const next = cleanup.nextRun();
  const changedAt = Date.now();
  await settings.update('provider_cleanup_interval_minutes', 2);
  const delay = cleanup.nextRunDelayMs();
  // null: the rescheduled run already started (a slow settings write); either way not the old timer.
  assert.ok(delay === null || delay <= 2 * MINUTE_MS, `rescheduled at once on the new interval: ${delay} ms`);
  const r = await next;
  assert.ok(Date.now() - changedAt < 20_000, 'long before the old timer would have fired');
  assert.equal(r?.uploads, 1, 'the run removed the stray upload');
  assert.equal(existsSync(stray), false);

  // And the run after that is due one new interval after this one.
  const delayAfter = cleanup.nextRunDelayMs();
  assert.ok(delayAfter !== null && delayAfter <= 2 * MINUTE_MS, `the new interval keeps: ${delayAfter} ms`);
  const endedAt = Date.now();
  assert.ok(await cleanup.nextRun());
  assert.ok(Date.now() - endedAt < 20_000);
});

test('stop ends the schedule: no run after it, and a waiter hears null', async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  const cleanup = providerCleanupComponent(app.ctx, { minuteMs: MINUTE_MS });
  const first = cleanup.nextRun();
  await cleanup.start();
  await first;
  const waiting = cleanup.nextRun();
  await cleanup.stop();
  assert.equal(await waiting, null);
  assert.equal(cleanup.nextRunDelayMs(), null);
  // A change after stop schedules nothing.
  await app.ctx.settings.update('provider_cleanup_interval_minutes', 1);
  assert.equal(cleanup.nextRunDelayMs(), null);
});
