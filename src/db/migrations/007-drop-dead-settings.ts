/**
 * Settings that promised behaviour the product never had are removed:
 * `provider_callback_enabled` and `provider_polling_interval` (the provider
 * answers on the request's own connection; there is no callback and no
 * polling) and `bazarr_url` (nothing calls Bazarr yet; it comes back with the
 * feature that does).
 */
import type { Kysely } from 'kysely';
import type { DbKind } from '../database.js';

export const DROPPED_SETTINGS = ['provider_callback_enabled', 'provider_polling_interval', 'bazarr_url'];

export async function up(db: Kysely<any>, _kind: DbKind): Promise<void> {
  await db.deleteFrom('system_settings').where('key', 'in', DROPPED_SETTINGS).execute();
}
