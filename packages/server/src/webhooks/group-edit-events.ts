import type { StoreTx } from '../storage/store.js';
import { deleteWatchedGroups } from '../storage/watched-group-repository.js';
import { listActiveSubscriptions } from '../storage/webhook-repository.js';
import { ChangeOutbox } from './change-outbox.js';
import { recountGroups, syncWatchedGroups } from './group-membership-changes.js';

/**
 * A group's definition changed (condition edited: `edited`; static list changed: not): the
 * watched groups using it are re-counted set-based, in the change's transaction, and the
 * differences go to the outbox. Decision: an edit's differences go only to subscriptions that
 * name the group (a subscription to every group is not flooded by an owner's edits); a static
 * list change is ordinary membership and goes to every subscription hearing that group.
 */
export async function noteGroupDefinitionChanged(
  tx: StoreTx,
  projectId: string,
  groupId: string,
  edited: boolean,
  now: number,
): Promise<void> {
  const outbox = await ChangeOutbox.open(tx, projectId);
  const watched = outbox.watchedGroups;
  if (watched === null) return;
  outbox.groupChanged(await recountGroups(tx.db, projectId, watched, new Set([groupId]), now), now, edited);
  await outbox.flush();
}

/**
 * A group was created or deleted, or a subscription changed: the watched groups follow the
 * subscriptions. Decision: a new group's first members send no events (they did not just
 * enter it), nor does a deleted group's members leaving.
 */
export async function noteWatchedGroupsChanged(tx: StoreTx, projectId: string, now: number): Promise<void> {
  await syncWatchedGroups(tx.db, projectId, await listActiveSubscriptions(tx.db, projectId), now);
}

/** A deleted group's kept members go with it. */
export async function forgetDeletedGroup(tx: StoreTx, groupId: string): Promise<void> {
  await deleteWatchedGroups(tx.db, [groupId]);
}
