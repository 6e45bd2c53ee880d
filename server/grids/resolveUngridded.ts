import { appendTimeline } from '../cases/timeline.ts';
import { lockCase } from '../cases/caseLock.ts';
import type { Prisma } from '../db/client.ts';
import { contains, inBbox, type Area } from './geometry.ts';

/** The grid whose polygon holds the point (bounding boxes first), or null; read through `db` so a transaction sees its own grids. */
export async function gridAt(db: Prisma.TransactionClient, lng: number, lat: number): Promise<{ code: string; name: string } | null> {
  const candidates = await db.grid.findMany({
    where: { level: 'grid', minLng: { lte: lng }, maxLng: { gte: lng }, minLat: { lte: lat }, maxLat: { gte: lat } },
    select: { code: true, name: true, geometry: true, minLng: true, minLat: true, maxLng: true, maxLat: true },
    orderBy: { code: 'asc' },
  });
  for (const g of candidates) {
    const box = { minLng: g.minLng!, minLat: g.minLat!, maxLng: g.maxLng!, maxLat: g.maxLat! };
    if (g.geometry !== null && inBbox(box, lng, lat) && contains(JSON.parse(g.geometry) as Area, lng, lat)) return { code: g.code, name: g.name };
  }
  return null;
}

/** The names of a grid's community, town and county (the codes' prefixes). */
async function areaNames(tx: Prisma.TransactionClient, code: string): Promise<{ community?: string; town?: string; district?: string }> {
  const rows = await tx.grid.findMany({ where: { code: { in: [code.slice(0, 12), code.slice(0, 9), code.slice(0, 6)] } }, select: { code: true, name: true } });
  const byLength = new Map(rows.map((r) => [r.code.length, r.name]));
  return { community: byLength.get(12), town: byLength.get(9), district: byLength.get(6) };
}

/**
 * After an import, inside its transaction: every case with a point and no grid (the point was
 * outside every grid then, or no grids were loaded) is resolved against the new set. Each case is
 * locked and read again before it is written, so a case given a grid meanwhile keeps it. A grid
 * found fills in the area names the case left empty, and is written on the timeline. Answers how
 * many cases got a grid.
 */
export async function resolveUngriddedCases(tx: Prisma.TransactionClient, now: Date): Promise<number> {
  const waiting = await tx.case.findMany({
    where: { grid: null, longitude: { not: null }, latitude: { not: null } },
    select: { id: true },
    orderBy: { createdAt: 'asc' },
  });
  let resolved = 0;
  for (const { id } of waiting) {
    await lockCase(tx, id);
    const c = await tx.case.findUnique({ where: { id }, select: { grid: true, longitude: true, latitude: true, community: true, town: true, district: true } });
    if (!c || c.grid !== null || c.longitude === null || c.latitude === null) continue;
    const found = await gridAt(tx, c.longitude, c.latitude);
    if (!found) continue;
    const names = await areaNames(tx, found.code);
    await tx.case.update({
      where: { id },
      data: {
        grid: found.code,
        community: c.community ?? names.community ?? null,
        town: c.town ?? names.town ?? null,
        district: c.district ?? names.district ?? null,
      },
    });
    await appendTimeline(tx, { caseId: id, type: 'grid.resolved', actor: 'system', at: now, data: { grid: found.code, gridName: found.name } });
    resolved++;
  }
  return resolved;
}
