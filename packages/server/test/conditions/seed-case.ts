import type { AttributeValue } from '../../src/attributes/attribute-operation.js';
import { type AttributeType, inferAttributeType } from '../../src/attributes/attribute-types.js';
import { DAY_MS, type GroupDefinition } from '../../src/conditions/condition.js';
import { parseCondition } from '../../src/conditions/parse-condition.js';
import {
  declareAttributeType,
  loadAttributeDefinitions,
  recordAttributeSightings,
  savePersonAttributes,
} from '../../src/storage/attribute-repository.js';
import { insertEvents, type NewEvent } from '../../src/storage/event-repository.js';
import { addGroupMembers } from '../../src/storage/group-member-repository.js';
import type { Store } from '../../src/storage/store.js';
import type { CasePerson, ConditionCase } from './case-file.js';

/** A case written to a store: the person id of each case label, the attribute types, the groups. */
export interface SeededCase {
  personIds: Map<string, number>;
  attributeTypes: Map<string, AttributeType>;
  groups: Map<string, GroupDefinition>;
}

/**
 * Writes a case's persons into a project of its own the way the product stores them: persons,
 * devices, attribute values through the repository (so the typed columns come from the real write
 * path), events under their device and user ids, static group members.
 */
export async function seedCase(
  store: Store,
  projectId: string,
  c: ConditionCase,
  now: number,
): Promise<SeededCase> {
  const time = (iso: string | undefined, fallback: number) =>
    iso === undefined ? fallback : Date.parse(iso);
  const personIds = new Map<string, number>();
  await store.transaction(async (tx) => {
    for (const p of c.persons) {
      const userId = p.user_id ?? null;
      const row = await tx.db
        .insertInto('persons')
        .values({
          project_id: projectId,
          user_id: userId,
          created_at: now - 100 * DAY_MS,
          first_seen: time(p.first_seen, now - 100 * DAY_MS),
          last_seen: time(p.last_seen, now - DAY_MS),
          bound_at: (p.bound ?? userId !== null) ? now - 10 * DAY_MS : null,
          imported_at: p.imported ? now - 50 * DAY_MS : null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const personId = Number(row.id);
      personIds.set(p.id, personId);
      for (const d of p.devices ?? []) {
        await tx.db
          .insertInto('devices')
          .values({
            project_id: projectId,
            anonymous_id: d.anonymous_id,
            person_id: personId,
            first_seen: time(d.first_seen, now - 60 * DAY_MS),
            last_seen: time(d.last_seen, now - DAY_MS),
            user_agent: null,
            device_type: d.device_type ?? null,
            os: d.os ?? null,
            browser: d.browser ?? null,
            screen: null,
            locale: null,
            first_referrer: d.first_referrer ?? null,
            first_landing_page: d.first_landing_page ?? null,
            utm_source: d.utm_source ?? null,
            utm_medium: d.utm_medium ?? null,
            utm_campaign: d.utm_campaign ?? null,
            session_count: d.session_count ?? 1,
            session_id: null,
            session_last_at: null,
          })
          .execute();
      }
      const attributes = Object.entries(p.attributes ?? {});
      await savePersonAttributes(
        tx,
        projectId,
        attributes.map(([name, value]) => ({ personId, name, value: value ?? undefined, updatedAt: now })),
      );
      await recordAttributeSightings(
        tx.db,
        projectId,
        attributes
          .filter(([, value]) => value !== null)
          .map(([name, value]) => ({
            name,
            inferredType: inferAttributeType(value as AttributeValue, 'sdk'),
            source: 'sdk' as const,
            at: now,
          })),
      );
      await insertEvents(tx, eventsOf(p, projectId, now));
    }
    for (const [name, type] of Object.entries(c.options.types ?? {})) {
      await declareAttributeType(tx.db, projectId, name, type, now);
    }
    for (const [groupId, group] of Object.entries(c.options.groups ?? {})) {
      const members = (group.static ?? []).map((id) => personIds.get(id) as number);
      await addGroupMembers(tx.db, projectId, groupId, members);
    }
  });
  const attributeTypes = new Map(
    (await loadAttributeDefinitions(store.db, projectId)).map((d) => [d.name, d.type as AttributeType]),
  );
  const groups = new Map<string, GroupDefinition>();
  for (const [groupId, group] of Object.entries(c.options.groups ?? {})) {
    if (group.condition === undefined) {
      groups.set(groupId, { kind: 'static' });
      continue;
    }
    const parsed = parseCondition(group.condition, { attributeTypes });
    if (!parsed.ok) throw new Error(`group ${groupId}: ${parsed.message} at ${parsed.pointer}`);
    groups.set(groupId, { kind: 'dynamic', condition: parsed.condition });
  }
  return { personIds, attributeTypes, groups };
}

let messages = 0;

function eventsOf(p: CasePerson, projectId: string, now: number): NewEvent[] {
  return (p.events ?? []).map((e) => {
    const timestamp = e.at === undefined ? now - (e.days_ago as number) * DAY_MS : Date.parse(e.at);
    const device = e.device === undefined ? (p.devices?.[0]?.anonymous_id ?? null) : e.device;
    messages += 1;
    return {
      project_id: projectId,
      message_id: `m-${messages}`,
      type: e.type ?? 'track',
      name: e.name ?? null,
      anonymous_id: device,
      user_id: e.as_user ?? (e.signed_in ? (p.user_id ?? null) : null),
      timestamp: Math.round(timestamp),
      received_at: Math.round(timestamp),
      session_id: device === null ? null : (e.session ?? 's1'),
      url: e.url ?? null,
      referrer: null,
      properties: JSON.stringify(e.properties ?? {}),
      context: '{}',
    };
  });
}
