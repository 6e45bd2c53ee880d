/** What the picker needs of a staff member (a StaffPick from GET /api/staff). */
interface Pick {
  id: string;
  unitId: string | null;
}

/**
 * Who can be picked as the lead in the assign / reassign form — the server's rule
 * (CaseLoopService: any active mediator, or an official of the case's own unit). Only a
 * reassignment leaves out the current lead (assigning a walk-in case to its own mediator is fine).
 */
export function eligibleAssignees<S extends Pick>(
  action: 'assign' | 'reassign',
  c: { unit: { id: string } | null; leadMediator: { id: string } | null },
  mediators: readonly S[],
  officials: readonly S[],
): S[] {
  const unitOfficials = officials.filter((o) => c.unit !== null && o.unitId === c.unit.id);
  const all = [...mediators, ...unitOfficials];
  return action === 'reassign' ? all.filter((s) => s.id !== c.leadMediator?.id) : all;
}
