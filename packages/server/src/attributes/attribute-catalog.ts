import { DEFAULT_ATTRIBUTES } from '../profiles/default-attributes.js';
import { pageAttributeValues } from '../storage/attribute-change-repository.js';
import {
  countAttributeHolders,
  declareAttributeType,
  loadAttributeDefinitions,
} from '../storage/attribute-repository.js';
import { sampleAttributeValues } from '../storage/attribute-samples.js';
import type { Db, Store } from '../storage/store.js';
import type { AttributeValue } from './attribute-operation.js';
import { type AttributeType, readAsType } from './attribute-types.js';

/** One attribute as Data Settings lists it. */
export interface AttributeView {
  name: string;
  type: string;
  /** `inferred` from the first value, `declared` by the owner, or `system` for `$` defaults. */
  type_source: string;
  sources: string[];
  persons: number | null;
  first_seen: string | null;
  last_seen: string | null;
  /** A few distinct stored values (as stored; read them through `type`). */
  samples: AttributeValue[];
}

/** The project's attributes with how many persons hold each, then the read-only defaults. */
export async function listAttributes(db: Db, projectId: string): Promise<AttributeView[]> {
  const [definitions, holders] = await Promise.all([
    loadAttributeDefinitions(db, projectId),
    countAttributeHolders(db, projectId),
  ]);
  const samples = await sampleAttributeValues(
    db,
    projectId,
    definitions.map((d) => d.name),
  );
  const owned = definitions.map((d) => ({
    name: d.name,
    type: d.type,
    type_source: d.type_source,
    sources: [
      d.from_sdk ? 'sdk' : null,
      d.from_server ? 'server' : null,
      d.from_import ? 'import' : null,
    ].filter((s): s is string => s !== null),
    persons: holders.get(d.name) ?? 0,
    first_seen: new Date(d.first_seen).toISOString(),
    last_seen: new Date(d.last_seen).toISOString(),
    samples: samples.get(d.name) ?? [],
  }));
  const defaults = Object.entries(DEFAULT_ATTRIBUTES).map(([name, type]) => ({
    name,
    type,
    type_source: 'system',
    sources: ['system'],
    persons: null,
    first_seen: null,
    last_seen: null,
    samples: [],
  }));
  return [...owned, ...defaults];
}

/** What declaring a type found among the stored values. */
export interface DeclareTypeReport {
  name: string;
  type: AttributeType;
  values: number;
  /** Stored values that do not read as the type; they are kept and shown as stored. */
  misfits: number;
  misfit_samples: { person_id: number; value: AttributeValue }[];
}

/**
 * What declaring `type` would do: counts the stored values that do not read as it, with a few
 * examples, without changing anything (the Data Settings preview before confirming).
 */
export async function previewType(
  db: Db,
  projectId: string,
  name: string,
  type: AttributeType,
): Promise<DeclareTypeReport> {
  const report: DeclareTypeReport = { name, type, values: 0, misfits: 0, misfit_samples: [] };
  let after = 0;
  for (;;) {
    const rows = await pageAttributeValues(db, projectId, name, after, 5000);
    for (const row of rows) {
      report.values += 1;
      const value = JSON.parse(row.value as string) as AttributeValue;
      if (!readAsType(value, type).ok) {
        report.misfits += 1;
        if (report.misfit_samples.length < 10)
          report.misfit_samples.push({ person_id: row.person_id, value });
      }
    }
    if (rows.length < 5000) return report;
    after = rows[rows.length - 1].person_id;
  }
}

/**
 * Declares an attribute's type. Values stay as stored and are read through the type from now on;
 * the report counts the values that do not fit, with a few examples.
 */
export async function declareType(
  store: Store,
  projectId: string,
  name: string,
  type: AttributeType,
): Promise<DeclareTypeReport> {
  await store.transaction((tx) => declareAttributeType(tx.db, projectId, name, type, Date.now()));
  return previewType(store.db, projectId, name, type);
}
