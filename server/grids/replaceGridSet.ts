import type { Prisma } from '../db/client.ts';
import type { ImportArea, ImportCentre } from './validateImport.ts';

/**
 * Writes a validated grid set in place of the current one: codes in the set are created or
 * updated, codes not in it removed, centres placed (every other unit's point cleared). Call inside
 * a transaction. Answers how many codes were removed.
 */
export async function replaceGridSet(
  tx: Prisma.TransactionClient,
  now: Date,
  set: { areas: readonly ImportArea[]; centres: readonly ImportCentre[] },
): Promise<number> {
  const gone = await tx.grid.deleteMany({ where: { code: { notIn: set.areas.map((a) => a.code) } } });
  for (const a of set.areas) {
    const row = {
      name: a.name,
      level: a.level,
      parentCode: a.parentCode,
      patrolFrequency: a.patrolFrequency,
      workerId: a.workerId,
      geometry: a.geometry,
      minLng: a.bbox?.minLng ?? null,
      minLat: a.bbox?.minLat ?? null,
      maxLng: a.bbox?.maxLng ?? null,
      maxLat: a.bbox?.maxLat ?? null,
      importedAt: now,
    };
    await tx.grid.upsert({ where: { code: a.code }, create: { code: a.code, ...row }, update: row });
  }
  await tx.unit.updateMany({ where: { id: { notIn: set.centres.map((c) => c.unitId) } }, data: { longitude: null, latitude: null } });
  for (const c of set.centres) await tx.unit.update({ where: { id: c.unitId }, data: { longitude: c.lng, latitude: c.lat } });
  return gone.count;
}
