/**
 * Versioned migrations, applied in name order at start-up (and by
 * `transcriptorio db migrate`). Add a file `NNN-what.ts` and list it here;
 * never edit one that has shipped.
 */
import type { Kysely } from 'kysely';
import type { DbKind } from '../database.js';
import * as m001 from './001-initial.js';
import * as m002 from './002-queue.js';
import * as m003 from './003-job-node.js';
import * as m004 from './004-safe-browse-roots.js';

export interface VersionedMigration {
  name: string;
  up(db: Kysely<any>, kind: DbKind): Promise<void>;
}

export const migrations: VersionedMigration[] = [
  { name: '001-initial', up: m001.up },
  { name: '002-queue', up: m002.up },
  { name: '003-job-node', up: m003.up },
  { name: '004-safe-browse-roots', up: m004.up },
];
