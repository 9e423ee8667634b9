import type { Db } from '../db/database.js';
import type { ScanRuleRow, ScanRulesTable } from '../db/schema.js';
import type { Insertable, Updateable } from 'kysely';

export async function listRules(db: Db, enabledOnly: boolean): Promise<ScanRuleRow[]> {
  let q = db.selectFrom('scan_rules').selectAll();
  if (enabledOnly) q = q.where('enabled', '=', 1);
  return q.orderBy('priority', 'desc').orderBy('id', 'asc').execute();
}

export async function findRule(db: Db, id: number): Promise<ScanRuleRow | undefined> {
  return db.selectFrom('scan_rules').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findRuleByName(db: Db, name: string): Promise<ScanRuleRow | undefined> {
  return db.selectFrom('scan_rules').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function insertRule(db: Db, row: Insertable<ScanRulesTable>): Promise<ScanRuleRow> {
  const res = await db.insertInto('scan_rules').values(row).returning('id').executeTakeFirstOrThrow();
  return (await findRule(db, Number(res.id)))!;
}

export async function updateRule(db: Db, id: number, patch: Updateable<ScanRulesTable>): Promise<void> {
  await db.updateTable('scan_rules').set(patch).where('id', '=', id).execute();
}

export async function deleteRule(db: Db, id: number): Promise<number> {
  const res = await db.deleteFrom('scan_rules').where('id', '=', id).executeTakeFirst();
  return Number(res.numDeletedRows);
}
