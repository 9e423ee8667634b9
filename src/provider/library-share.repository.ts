/**
 * SQL of the provider's sharing with library jobs: the library jobs of one
 * media file (library-share.ts decides which of them can answer a request).
 */
import type { Db } from '../db/database.js';
import type { JobRow } from '../db/schema.js';

/** The file's library jobs (under any of its paths) that are running or completed with a subtitle, newest first. */
export async function libraryJobsOf(db: Db, filePaths: string[]): Promise<JobRow[]> {
  if (!filePaths.length) return [];
  return db
    .selectFrom('jobs')
    .selectAll()
    .where('file_path', 'in', filePaths)
    .where('job_type', '=', 'transcription')
    .where((eb) => eb.or([eb('status', '=', 'processing'), eb.and([eb('status', '=', 'completed'), eb('output_path', 'is not', null)])]))
    .orderBy('created_at', 'desc')
    .limit(20)
    .execute();
}
