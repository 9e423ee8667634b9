/**
 * Versioned migrations, applied in name order at start-up (and by
 * `transcriptorio db migrate`). Add a file `NNN-what.ts` and list it here;
 * never change what one that has shipped does. A migration imports nothing
 * from the application (only kysely and `../database.js` types): the values
 * it needs (an old default, a description) are written into it as they were
 * when it shipped, so it does the same to every database it ever runs on.
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
import * as m008 from './008-job-blobs.js';
import * as m009 from './009-library-index.js';
import * as m010 from './010-integrations.js';
import * as m011 from './011-provider-timeout.js';
import * as m012 from './012-first-run.js';
import * as m013 from './013-job-events.js';
import * as m014 from './014-settings-overrides.js';
import * as m015 from './015-quality.js';
import * as m016 from './016-subtitle-sync.js';

interface VersionedMigration {
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
  { name: '008-job-blobs', up: m008.up },
  { name: '009-library-index', up: m009.up },
  { name: '010-integrations', up: m010.up },
  { name: '011-provider-timeout', up: m011.up },
  { name: '012-first-run', up: m012.up },
  { name: '013-job-events', up: m013.up },
  { name: '014-settings-overrides', up: m014.up },
  { name: '015-quality', up: m015.up },
  { name: '016-subtitle-sync', up: m016.up },
];
