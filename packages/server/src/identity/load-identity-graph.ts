import type { NormalizedMessage } from '../ingestion/normalize-message.js';
import {
  countDevicesOfPersons,
  findDevices,
  findPersonsByUserIds,
  lockPersons,
} from '../storage/identity-repository.js';
import { TransactionConflict } from '../storage/storage-backend.js';
import type { StoreTx } from '../storage/store.js';
import { anonymousIdLock, IdentityGraph, type IdentityLimits, userIdLock } from './identity-graph.js';
import { idsOfMessages, personsToCount } from './identity-plan.js';

/**
 * Loads, for a batch of one project, everything its identity rules can touch, with set-based
 * queries: locks its ids, reads the devices and persons holding them, row-locks those persons,
 * counts the devices of the persons a link may need (`personsToCount`), and reserves ids for the
 * persons the batch may create. A person that vanished between the read and the lock was merged
 * or deleted by another writer: the transaction is retried from the start.
 */
export async function loadIdentityGraph(
  tx: StoreTx,
  projectId: string,
  messages: readonly NormalizedMessage[],
  limits: IdentityLimits,
): Promise<IdentityGraph> {
  const { anonymousIds, userIds } = idsOfMessages(messages);
  await tx.lockKeys([
    ...anonymousIds.map((id) => anonymousIdLock(projectId, id)),
    ...userIds.map((id) => userIdLock(projectId, id)),
  ]);
  const [devices, byUser] = await Promise.all([
    anonymousIds.length ? findDevices(tx.db, projectId, anonymousIds) : [],
    userIds.length ? findPersonsByUserIds(tx.db, projectId, userIds) : [],
  ]);
  const wanted = new Set([...devices.map((d) => d.person_id), ...byUser.map((p) => p.id)]);
  const persons = await lockPersons(tx, projectId, [...wanted]);
  if (persons.length !== wanted.size)
    throw new TransactionConflict('a person changed while its ids were read');
  const locked = new Map(persons.map((p) => [p.id, p]));
  for (const person of byUser) {
    if (locked.get(person.id)?.user_id !== person.user_id) throw new TransactionConflict('a user id moved');
  }
  const holderOfAnonymousId = new Map(devices.map((d) => [d.anonymous_id, d.person_id]));
  const holderOfUserId = new Map(byUser.map((p) => [p.user_id as string, p.id]));
  const toCount = personsToCount(
    messages,
    (id) => holderOfAnonymousId.get(id),
    (id) => holderOfUserId.get(id),
  );
  // Every person the batch may create holds at least one id nobody holds yet.
  const unknownIds = anonymousIds.length - devices.length + userIds.length - byUser.length;
  const [counts, freePersonIds] = await Promise.all([
    toCount.length ? countDevicesOfPersons(tx.db, toCount) : new Map<number, number>(),
    tx.allocatePersonIds(unknownIds),
  ]);
  const deviceCounts = new Map(toCount.map((id) => [id, counts.get(id) ?? 0]));
  return new IdentityGraph({ projectId, persons, devices, deviceCounts, freePersonIds }, limits);
}
