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
import * as m005 from './005-preset-models-inherit.js';
import * as m006 from './006-job-error-code.js';
import * as m007 from './007-drop-dead-settings.js';

export interface VersionedMigration {
  name: string;
  up(db: Kysely<any>, kind: DbKind): Promise<void>;
}

export const migrations: VersionedMigration[] = [
  { name: '001-initial', up: m001.up },
  { name: '002-queue', up: m002.up },
  { name: '003-job-node', up: m003.up },
  { name: '004-safe-browse-roots', up: m004.up },
  { name: '005-preset-models-inherit', up: m005.up },
  { name: '006-job-error-code', up: m006.up },
  { name: '007-drop-dead-settings', up: m007.up },
];
