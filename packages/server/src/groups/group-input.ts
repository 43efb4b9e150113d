import type { ErrorCode } from '../errors/error-codes.js';
import { illegalIdReason } from '../identity/illegal-ids.js';

/** At most this many user ids in one static group request (a pasted list, a CSV, an import). */
export const MAX_GROUP_USER_IDS = 1_000_000;

/** An expected refusal of a request, with the JSON pointer of the bad part of its body. */
export interface GroupRefusal {
  ok: false;
  code: ErrorCode;
  message: string;
  pointer?: string;
}

export type Checked<T> = { ok: true; value: T } | GroupRefusal;

/** Where a new group's members come from. */
export type GroupSource =
  | { type: 'dynamic'; condition: unknown }
  | { type: 'static'; userIds: string[] }
  | { type: 'static'; importId: string };

/** A `PATCH /api/groups/:id` body: what changes. */
export interface GroupChanges {
  name?: string;
  condition?: unknown;
  userIds?: string[];
}

/** A group's name: trimmed, 1 to 200 characters. */
export function checkGroupName(name: unknown, pointer = '/name'): Checked<string> {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (trimmed.length === 0 || trimmed.length > 200) {
    return refuse('INVALID_BODY', 'a group name is 1 to 200 characters', pointer);
  }
  return { ok: true, value: trimmed };
}

/**
 * Reads a `POST /api/groups` JSON body: a name and exactly one of `condition` (dynamic),
 * `user_ids` or `import_id` (static).
 */
export function readNewGroup(body: Record<string, unknown>): Checked<{ name: string; source: GroupSource }> {
  const name = checkGroupName(body.name);
  if (!name.ok) return name;
  const given = (['condition', 'user_ids', 'import_id'] as const).filter((k) => body[k] !== undefined);
  if (given.length !== 1) {
    return refuse(
      'INVALID_BODY',
      'send exactly one of "condition" (a dynamic group), "user_ids" or "import_id" (a static group)',
      given.length > 1 ? `/${given[1]}` : undefined,
    );
  }
  if (body.condition !== undefined) {
    return { ok: true, value: { name: name.value, source: { type: 'dynamic', condition: body.condition } } };
  }
  if (body.import_id !== undefined) {
    return {
      ok: true,
      value: { name: name.value, source: { type: 'static', importId: String(body.import_id) } },
    };
  }
  const userIds = checkUserIds(body.user_ids);
  if (!userIds.ok) return userIds;
  return { ok: true, value: { name: name.value, source: { type: 'static', userIds: userIds.value } } };
}

/** Reads a `PATCH /api/groups/:id` body. */
export function readGroupChanges(body: Record<string, unknown>): Checked<GroupChanges> {
  const changes: GroupChanges = {};
  if (body.name !== undefined) {
    const name = checkGroupName(body.name);
    if (!name.ok) return name;
    changes.name = name.value;
  }
  if (body.condition !== undefined) changes.condition = body.condition;
  if (body.user_ids !== undefined) {
    const userIds = checkUserIds(body.user_ids);
    if (!userIds.ok) return userIds;
    changes.userIds = userIds.value;
  }
  return { ok: true, value: changes };
}

/** A list of user ids, each legal (DESIGN §3 rule 1); duplicates are dropped. */
export function checkUserIds(userIds: unknown, pointer = '/user_ids'): Checked<string[]> {
  if (!Array.isArray(userIds))
    return refuse('INVALID_BODY', '"user_ids" must be an array of user ids', pointer);
  if (userIds.length > MAX_GROUP_USER_IDS) {
    return refuse('TOO_MANY_USER_IDS', `at most ${MAX_GROUP_USER_IDS} user ids at a time`, pointer);
  }
  for (const [i, id] of userIds.entries()) {
    const reason = illegalIdReason(id);
    if (reason !== null) return refuse('ILLEGAL_USER_ID', `user id ${reason}`, `${pointer}/${i}`);
  }
  return { ok: true, value: [...new Set(userIds.map(String))] };
}

export function refuse(code: ErrorCode, message: string, pointer?: string): GroupRefusal {
  return pointer === undefined ? { ok: false, code, message } : { ok: false, code, message, pointer };
}
