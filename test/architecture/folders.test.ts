/**
 * The floors of the house: server/ is the top (the composition root and the
 * HTTP app), and nothing below imports it; only the CLI's commands, which
 * start a server, stand above it. Folders do not lean on each other: a pair
 * of folders importing each other is allowed only where it is listed below
 * with its reason (scripts/import-graph.ts prints the imports behind it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { folderGraph } from '../../scripts/import-graph.js';

/** Pairs still known to import each other, and why; remove a line when its pair is gone. */
const KNOWN_PAIRS: Record<string, string> = {
};

// One madge run for both tests.
const graph = folderGraph();

test('nothing outside server/ imports server/, except the CLI that starts it', { timeout: 120_000 }, async () => {
  const { arrows } = await graph;
  const up = [...arrows.entries()].filter(([k]) => k.endsWith('>server') && !k.startsWith('cli>')).flatMap(([, lines]) => lines);
  assert.deepEqual(up, [], `imports of server/ from below it:\n${up.join('\n')}`);
});

test('no two folders import each other, except the pairs listed with their reason', { timeout: 120_000 }, async () => {
  const { mutual } = await graph;
  assert.deepEqual(mutual, Object.keys(KNOWN_PAIRS).sort(), 'a new pair must be untangled; a pair that is gone must leave KNOWN_PAIRS');
});
