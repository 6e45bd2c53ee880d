import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allows, type ActorFacts, type CaseFacts } from '../../../server/access/caseAccess.ts';

const kase = (over: Partial<CaseFacts> = {}): CaseFacts => ({
  id: 'c1',
  state: 'in_mediation',
  leadMediatorId: 'lead',
  createdById: 'grid',
  unitId: 'town-centre',
  unitLevel: 'town',
  grid: null,
  whistles: [],
  courtUnitIds: [],
  ...over,
});
const actor = (userId: string, role: ActorFacts['role'], unitId: string | null = null, unitLevel: ActorFacts['unitLevel'] = null): ActorFacts => ({
  userId,
  role,
  unitId,
  unitLevel,
  gridCodes: [],
});

test('a supervisor with a unit covers unrouted cases, their unit and units at the same or a lower level', () => {
  const county = actor('s', 'supervisor', 'county-centre', 'county');
  const town = actor('s2', 'supervisor', 'other-town', 'town');
  assert.equal(allows(county, 'session.end', kase()), true, 'town case under a county supervisor');
  assert.equal(allows(county, 'session.end', kase({ unitId: 'city-centre', unitLevel: 'city' })), false, 'a city case is above them');
  assert.equal(allows(county, 'case.read', kase({ unitId: null, unitLevel: null, leadMediatorId: null, state: 'reported' })), true, 'the intake queue');
  assert.equal(allows(town, 'case.read', kase()), true, 'same level');
  assert.equal(allows(town, 'case.read', kase({ unitId: 'county-centre', unitLevel: 'county' })), false);
  assert.equal(allows(actor('s3', 'supervisor'), 'agreement.freeze', kase({ unitId: 'city-centre', unitLevel: 'city' })), true, 'no unit: the whole centre');
});

test('mediators: the lead runs the case; colleagues of its unit read it; the intake queue is open to all', () => {
  assert.equal(allows(actor('lead', 'mediator'), 'invitation.create', kase()), true);
  const colleague = actor('m2', 'mediator', 'town-centre', 'town');
  assert.equal(allows(colleague, 'case.read', kase()), true);
  assert.equal(allows(colleague, 'invitation.create', kase()), false);
  assert.equal(allows(colleague, 'session.enter', kase()), false);
  const stranger = actor('m3', 'mediator', 'elsewhere', 'town');
  assert.equal(allows(stranger, 'case.read', kase()), false);
  assert.equal(allows(stranger, 'case.read', kase({ state: 'reported', leadMediatorId: null, unitId: null, unitLevel: null })), true);
  assert.equal(allows(stranger, 'case.read', kase({ state: 'registered', leadMediatorId: 'lead', unitId: null, unitLevel: null })), false);
});

test('officials: read what their unit is called in to or handles; only the one who accepted witnesses; grid workers read what they reported', () => {
  const hr = actor('o1', 'official', 'hr', 'county');
  const hr2 = actor('o2', 'official', 'hr', 'county');
  const open = kase({ whistles: [{ unitId: 'hr', status: 'open', acceptedById: null }] });
  assert.equal(allows(hr, 'case.read', open), true);
  assert.equal(allows(hr, 'agreement.sign', open), false, 'not yet accepted');
  const accepted = kase({ whistles: [{ unitId: 'hr', status: 'accepted', acceptedById: 'o1' }] });
  assert.equal(allows(hr, 'agreement.sign', accepted), true);
  assert.equal(allows(hr2, 'agreement.sign', accepted), false, 'a colleague who did not accept');
  const cancelled = kase({ whistles: [{ unitId: 'hr', status: 'cancelled', acceptedById: null }] });
  assert.equal(allows(hr, 'case.read', cancelled), false);
  assert.equal(allows(hr, 'whistle.respond', cancelled), true, 'the service answers 409, not a refusal');
  assert.equal(allows(actor('o3', 'official', 'traffic', 'county'), 'whistle.respond', open), false);
  assert.equal(allows(hr, 'case.read', kase({ unitId: 'hr', unitLevel: 'county' })), true, 'routed to their department');
  assert.equal(allows(actor('grid', 'gridworker'), 'case.read', kase()), true);
  assert.equal(allows(actor('grid2', 'gridworker'), 'case.read', kase()), false);
  assert.equal(allows(actor('a', 'admin'), 'case.read', kase()), true);
  assert.equal(allows(actor('a', 'admin'), 'session.enter', kase()), false);
});

test("a grid worker reads the cases they reported and the cases of their own grids, not another grid's", () => {
  const worker: ActorFacts = { userId: 'w', role: 'gridworker', unitId: null, unitLevel: null, gridCodes: ['330102001001001'] };
  assert.equal(allows(worker, 'case.read', kase({ createdById: 'w', grid: null })), true, 'reported by them');
  assert.equal(allows(worker, 'case.read', kase({ createdById: null, grid: '330102001001001' })), true, 'in their grid');
  assert.equal(allows(worker, 'case.read', kase({ createdById: null, grid: '330102001001002' })), false, 'another grid');
  assert.equal(allows(worker, 'session.start', kase({ createdById: null, grid: '330102001001001' })), false, 'reading is not running the case');
});

test('a judge reads, reviews and decides only the cases whose application is held by their own court', () => {
  const judge = actor('j', 'judge', 'court-a', 'county');
  const held = kase({ courtUnitIds: ['court-a'] });
  for (const action of ['case.read', 'judicial.review', 'judicial.decide', 'recording.review'] as const) {
    assert.equal(allows(judge, action, held), true, action);
    assert.equal(allows(judge, action, kase({ courtUnitIds: ['court-b'] })), false, `${action} at another court`);
    assert.equal(allows(judge, action, kase()), false, `${action} without an application`);
  }
  assert.equal(allows(judge, 'session.start', held), false, 'a judge does not run the mediation');
  assert.equal(allows(actor('m', 'mediator', 'court-a'), 'judicial.decide', held), false, 'only a judge decides');
  assert.equal(allows(actor('lead', 'mediator'), 'judicial.apply', kase()), true, 'the responsible mediator starts the application');
});
