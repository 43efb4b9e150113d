import { deletePersonEvents } from '../storage/event-repository.js';
import { deleteAssignmentsOfPerson } from '../storage/experience-assignment-repository.js';
import { deleteGroupMemberships } from '../storage/group-member-repository.js';
import {
  countDevicesOfPerson,
  findDevices,
  findDevicesOfPerson,
  findPersonById,
  insertPerson,
  lockPersons,
  mergePersonRows,
  type PersonRow,
} from '../storage/identity-repository.js';
import { appendAuditLog } from '../storage/project-repository.js';
import { TransactionConflict } from '../storage/storage-backend.js';
import type { Store, StoreTx } from '../storage/store.js';
import { forgetPersonDeliveries } from '../storage/webhook-delivery-repository.js';
import { ChangeOutbox } from '../webhooks/change-outbox.js';
import { anonymousIdLock, userIdLock } from './identity-graph.js';

export type RepairResult<T> =
  | { ok: true; value: T }
  | { ok: false; code: 'MERGE_REFUSED' | 'SPLIT_REFUSED' | 'PERSON_NOT_FOUND'; message: string };

interface RepairContext {
  store: Store;
  projectId: string;
  actor: string;
  maxAnonymousIdsPerPerson: number;
}

/**
 * Admin merge (DESIGN §3 rule 11): folds `fromId` into `intoId` under the same rules as automatic
 * merges: the survivor keeps its values, two identified persons are never merged, the cap holds.
 */
export async function mergePersonsByAdmin(
  ctx: RepairContext,
  intoId: number,
  fromId: number,
): Promise<RepairResult<{ person_id: number; moved_anonymous_ids: number }>> {
  if (intoId === fromId)
    return { ok: false, code: 'MERGE_REFUSED', message: 'a person cannot be merged into itself' };
  return ctx.store.transaction(async (tx) => {
    const persons = await lockPersons(tx, ctx.projectId, [intoId, fromId]);
    const into = persons.find((p) => p.id === intoId);
    const from = persons.find((p) => p.id === fromId);
    if (!into || !from) return notFound(!into ? intoId : fromId);
    if (from.user_id !== null && into.user_id !== null) {
      return refuse(
        'MERGE_REFUSED',
        `both persons are identified ("${into.user_id}", "${from.user_id}"); identified persons are never merged`,
      );
    }
    if (from.user_id !== null) {
      return refuse(
        'MERGE_REFUSED',
        `the identified person ("${from.user_id}") must survive: send it as "into"`,
      );
    }
    const moved = await countDevicesOfPerson(tx.db, from.id);
    if ((await countDevicesOfPerson(tx.db, into.id)) + moved > ctx.maxAnonymousIdsPerPerson) {
      return refuse(
        'MERGE_REFUSED',
        `the merged person would hold more than ${ctx.maxAnonymousIdsPerPerson} anonymous ids`,
      );
    }
    await mergePersonRows(tx.db, ctx.projectId, into.id, from.id);
    await tx.db
      .updateTable('persons')
      .set({
        first_seen: Math.min(into.first_seen, from.first_seen),
        last_seen: Math.max(into.last_seen, from.last_seen),
      })
      .where('id', '=', into.id)
      .execute();
    await audit(tx, ctx, 'merge', { into: describe(into), from: describe(from), moved_anonymous_ids: moved });
    await notifyMerge(tx, ctx.projectId, into.id, from.id);
    return { ok: true, value: { person_id: into.id, moved_anonymous_ids: moved } };
  });
}

/**
 * Admin split: moves one anonymous id (and so its anonymous events) off its person onto a new
 * anonymous person, e.g. after a wrong link on a shared device.
 */
export async function splitAnonymousId(
  ctx: RepairContext,
  anonymousId: string,
): Promise<RepairResult<{ person_id: number; from_person_id: number }>> {
  return ctx.store.transaction(async (tx) => {
    await tx.lockKeys([anonymousIdLock(ctx.projectId, anonymousId)]);
    const [device] = await findDevices(tx.db, ctx.projectId, [anonymousId]);
    if (!device) return refuse('SPLIT_REFUSED', `no person holds anonymous id "${anonymousId}"`);
    const [owner] = await lockPersons(tx, ctx.projectId, [device.person_id]);
    // Merged away by a concurrent transaction between the two reads: run again.
    if (!owner) throw new TransactionConflict('the anonymous id moved while it was split');
    if (owner.user_id === null && (await countDevicesOfPerson(tx.db, owner.id)) === 1) {
      return refuse(
        'SPLIT_REFUSED',
        `"${anonymousId}" is the only id of an anonymous person; there is nothing to split`,
      );
    }
    const person = await insertPerson(tx.db, {
      project_id: ctx.projectId,
      user_id: null,
      created_at: Date.now(),
      first_seen: device.first_seen,
      last_seen: device.last_seen,
      bound_at: null,
      imported_at: null,
    });
    await tx.db
      .updateTable('devices')
      .set({ person_id: person.id })
      .where('project_id', '=', ctx.projectId)
      .where('anonymous_id', '=', anonymousId)
      .execute();
    const outbox = await ChangeOutbox.open(tx, ctx.projectId);
    outbox.touched(owner.id, { all: true });
    outbox.touched(person.id, { all: true });
    await outbox.flush();
    await audit(tx, ctx, 'split', {
      anonymous_id: anonymousId,
      from: describe(owner),
      to_person_id: person.id,
    });
    return { ok: true, value: { person_id: person.id, from_person_id: owner.id } };
  });
}

/**
 * Erasure (right to be forgotten): the person's profile, ids, attribute values and the events that
 * resolve to it. Events of other users sent from its devices stay theirs.
 */
export async function deletePerson(
  ctx: RepairContext,
  personId: number,
): Promise<RepairResult<{ deleted_events: number; deleted_devices: number }>> {
  return ctx.store.transaction(async (tx) => {
    // Same lock order as ingestion (ids, then the person), so an erasure and live traffic for the
    // same user take turns instead of deadlocking.
    const seen = await findPersonById(tx.db, ctx.projectId, personId);
    if (!seen) return notFound(personId);
    const seenDevices = await findDevicesOfPerson(tx.db, seen.id);
    await tx.lockKeys([
      ...seenDevices.map((d) => anonymousIdLock(ctx.projectId, d.anonymous_id)),
      ...(seen.user_id ? [userIdLock(ctx.projectId, seen.user_id)] : []),
    ]);
    const [person] = await lockPersons(tx, ctx.projectId, [personId]);
    if (!person) return notFound(personId);
    const devices = await findDevicesOfPerson(tx.db, person.id);
    const anonymousIds = devices.map((d) => d.anonymous_id);
    if (person.user_id !== seen.user_id || anonymousIds.length !== seenDevices.length) {
      throw new TransactionConflict('the person changed while its erasure began');
    }
    const deletedEvents = await deletePersonEvents(tx.db, ctx.projectId, {
      userId: person.user_id,
      anonymousIds,
    });
    await tx.db.deleteFrom('person_attributes').where('person_id', '=', person.id).execute();
    await deleteGroupMemberships(tx.db, person.id);
    await tx.db
      .deleteFrom('devices')
      .where('project_id', '=', ctx.projectId)
      .where('person_id', '=', person.id)
      .execute();
    await deleteAssignmentsOfPerson(tx.db, person.id);
    await tx.db.deleteFrom('persons').where('id', '=', person.id).execute();
    // Webhook deliveries carry the person's ids and attributes: erased too, sent or not.
    await forgetPersonDeliveries(tx.db, ctx.projectId, person.id);
    await audit(tx, ctx, 'delete', {
      person: describe(person),
      deleted_events: deletedEvents,
      deleted_devices: devices.length,
    });
    return { ok: true, value: { deleted_events: deletedEvents, deleted_devices: devices.length } };
  });
}

/** `user.merged` for the webhook outbox, in the merge's transaction. */
async function notifyMerge(tx: StoreTx, projectId: string, intoId: number, fromId: number): Promise<void> {
  const outbox = await ChangeOutbox.open(tx, projectId);
  outbox.personsMerged(intoId, fromId, Date.now());
  await outbox.flush();
}

function describe(person: PersonRow) {
  return { person_id: person.id, user_id: person.user_id };
}

async function audit(tx: StoreTx, ctx: RepairContext, action: string, details: unknown): Promise<void> {
  await appendAuditLog(tx.db, {
    projectId: ctx.projectId,
    at: Date.now(),
    actor: ctx.actor,
    action,
    details,
  });
}

function refuse(code: 'MERGE_REFUSED' | 'SPLIT_REFUSED', message: string): RepairResult<never> {
  return { ok: false, code, message };
}

function notFound(personId: number): RepairResult<never> {
  return { ok: false, code: 'PERSON_NOT_FOUND', message: `no person ${personId} in this project` };
}
