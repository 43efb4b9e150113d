import type { AttributeValue } from '../attributes/attribute-operation.js';
import { isAttributeType, readAsType } from '../attributes/attribute-types.js';
import { identifyEventsAt, importJobsAt } from '../storage/attribute-change-repository.js';
import { loadAttributeDefinitions, loadPersonAttributes } from '../storage/attribute-repository.js';
import type { PersonIds } from '../storage/event-repository.js';
import type { PersonRow } from '../storage/identity-repository.js';
import type { Db } from '../storage/store.js';

/** An attribute value of a person with when and from where it last changed. */
export interface AttributeChange {
  name: string;
  value: AttributeValue;
  updated_at: string;
  /** `sdk` / `server` (an identify, with its message id), `import` (with the job id), or null when unknown. */
  source: 'sdk' | 'server' | 'import' | null;
  source_id: string | null;
}

/**
 * strategy: each stored value keeps the message time of the write that set it (last writer wins);
 * a write from traffic is the person's identify with that timestamp, and an import writes with its
 * job's start time, so matching the time against both names the source without storing it per value.
 * When neither matches (a message since erased, an operation from a track call) the source is null.
 */
export async function attributeChanges(
  db: Db,
  person: PersonRow,
  ids: PersonIds,
): Promise<AttributeChange[]> {
  const [stored, definitions] = await Promise.all([
    loadPersonAttributes(db, [person.id]),
    loadAttributeDefinitions(db, person.project_id),
  ]);
  const values = stored.filter((a) => a.value !== undefined).sort((a, b) => a.name.localeCompare(b.name));
  const times = values.map((a) => a.updatedAt);
  const [events, jobs] = await Promise.all([
    identifyEventsAt(db, person.project_id, ids, times),
    importJobsAt(db, person.project_id, times),
  ]);
  const byTime = new Map<number, { source: AttributeChange['source']; id: string }>();
  for (const job of jobs) byTime.set(Number(job.started_at), { source: 'import', id: job.id });
  for (const event of events) {
    const context = (typeof event.context === 'string' ? JSON.parse(event.context) : event.context) as {
      library?: { name?: string };
    };
    const source = context?.library?.name === 'acquaint-js' ? 'sdk' : 'server';
    byTime.set(Number(event.timestamp), { source, id: event.message_id });
  }
  const types = new Map(definitions.map((d) => [d.name, d.type]));
  return values.map((a) => {
    const type = types.get(a.name);
    const read = isAttributeType(type) ? readAsType(a.value as AttributeValue, type) : { ok: false as const };
    const origin = byTime.get(Number(a.updatedAt));
    return {
      name: a.name,
      value: read.ok ? read.value : (a.value as AttributeValue),
      updated_at: new Date(Number(a.updatedAt)).toISOString(),
      source: origin?.source ?? null,
      source_id: origin?.id ?? null,
    };
  });
}
