import { isValidUserHash } from '../projects/keys.js';
import { type DecidePersons, findDecideVisitor, namedAttributeValues } from '../storage/decide-repository.js';
import { findExperience } from '../storage/experience-repository.js';
import { loadPersonFacts } from '../storage/person-facts-repository.js';
import type { ProjectRow } from '../storage/project-repository.js';
import type { Store } from '../storage/store.js';
import { assignmentWritesOf } from './assignment-writes.js';
import type { DecideDefinitions } from './decide-definitions.js';
import { type Decision, decideExperiences, type KnownAssignment } from './decide-experiences.js';
import type { DecideRequest } from './decide-request.js';
import { fillPlaceholders, placeholderNames } from './placeholders.js';
import { readPreviewToken } from './preview-token.js';
import { isTargeted, NO_FACTS, needsEvents, needsFacts, visitFacts } from './target-facts.js';
import { matchesPages, pageUrl } from './url-rules.js';

/** One experience of a decide answer. */
export interface DecidedExperience {
  id: string;
  type: string;
  variant: string;
  content: unknown;
  frequency: string;
}

/**
 * Answers `POST /v1/decide` (DESIGN §4).
 *
 * strategy: load, decide, then write.
 * 1. The published experiences, groups and attribute types come from memory (DecideDefinitions);
 *    with none on this page and no preview, answer
 *    at once without touching persons.
 * 2. The visitor: a user id counts only when legal and, if the project verifies identity, with a
 *    valid userHash; otherwise the visitor is anonymous. The user's person and the device's
 *    person are looked up, never created. A device person identified as another user than the
 *    one signing in (a shared device) lends nothing.
 * 3. When an experience on this page targets groups or a condition, the person's facts are loaded
 *    once (its events only if one of those targets has a behaviour leaf); decideExperiences then
 *    picks, in memory, what shows and which variant.
 * 4. New or shown-again assignments are written for the person (the user's, else the device's),
 *    in one transaction with those of the decides of the same 2 ms (AssignmentWrites), before
 *    answering; a visitor with no person yet keeps its variant through the hash of its anonymous id.
 * 5. Placeholders are filled from that person's attributes, HTML-escaped; when the project
 *    verifies identity, only for a verified user id.
 */
export async function answerDecide(
  store: Store,
  definitions: DecideDefinitions,
  project: ProjectRow,
  request: DecideRequest,
  now = Date.now(),
): Promise<DecidedExperience[]> {
  const { experiences, groups, attributeTypes } = await definitions.get(project.id);
  const preview = request.preview ? readPreviewToken(project.identity_secret, request.preview, now) : null;
  const previewed = preview ? await findExperience(store.db, project.id, preview.experienceId) : undefined;
  if (experiences.length === 0 && !previewed) return [];

  const verifying = project.verify_identity === 1;
  const userId =
    request.userId !== null &&
    (!verifying || isValidUserHash(project.identity_secret, request.userId, request.userHash))
      ? request.userId
      : null;
  const { persons, assignments: rows } = await findDecideVisitor(
    store.db,
    project.id,
    { userId, anonymousId: request.anonymousId },
    (found) => {
      const { personId, carriedFrom } = visitorPersons(found, userId);
      return [personId, carriedFrom].filter((id): id is number => id !== null);
    },
  );
  const { device, personId, carriedFrom } = visitorPersons(persons, userId);
  const byPerson = (id: number | null) =>
    new Map<string, KnownAssignment>(
      rows
        .filter((row) => row.person_id === id)
        .map((row) => [
          row.experience_id,
          { experienceId: row.experience_id, variant: row.variant, lastSessionId: row.last_session_id },
        ]),
    );
  // Facts are loaded only when an experience on this page targets by group or condition, and
  // the person's events only when one of those targets reads them.
  const page = pageUrl(request.url);
  const judgedHere = experiences.filter((e) => needsFacts(e) && matchesPages(e.pages, page));
  const judged = judgedHere.length > 0;
  const facts =
    judged && personId !== null
      ? ((await loadPersonFacts(store.db, project.id, personId, {
          events: judgedHere.some((e) => needsEvents(e, groups, attributeTypes)),
        })) ?? NO_FACTS)
      : NO_FACTS;
  const context = judged
    ? {
        now,
        visit: visitFacts({
          url: request.url,
          referrer: request.referrer,
          userAgent: request.userAgent,
          device,
        }),
        groups,
        attributeTypes,
      }
    : null;
  const decisions = decideExperiences({
    experiences,
    now,
    url: page,
    sessionId: request.sessionId,
    bucketKey: request.anonymousId,
    assignments: { own: byPerson(personId), carried: byPerson(carriedFrom) },
    targeted: (experience) => context === null || isTargeted(experience, facts, context),
    ...(preview && previewed ? { preview: { ...preview, experience: previewed } } : {}),
  });

  if (personId !== null) await record(store, project.id, personId, decisions, request.sessionId, now);
  return fill(store, personId, decisions, verifying && userId === null);
}

/**
 * Whose assignments count: the user's person, else the device's. A device person identified as
 * another user than the one signing in (a shared device) lends nothing; otherwise a device person
 * other than the user's carries its assignments over.
 */
function visitorPersons(persons: DecidePersons, userId: string | null) {
  const shared = persons.device?.userId != null && userId !== null && persons.device.userId !== userId;
  const device = shared ? null : persons.device;
  const personId = persons.userPersonId ?? device?.personId ?? null;
  const carriedFrom = device && device.personId !== personId ? device.personId : null;
  return { device, personId, carriedFrom };
}

async function record(
  store: Store,
  projectId: string,
  personId: number,
  decisions: Decision[],
  sessionId: string | null,
  now: number,
): Promise<void> {
  const changes = decisions
    .filter((decision) => decision.record !== 'none')
    .map((decision) => ({
      project_id: projectId,
      experience_id: decision.experience.id,
      person_id: personId,
      variant: decision.variantName,
      assigned_at: now,
      last_shown_at: now,
      last_session_id: sessionId,
      replaceVariant: decision.record === 'replace',
    }));
  if (changes.length > 0) await assignmentWritesOf(store).record(changes);
}

async function fill(
  store: Store,
  personId: number | null,
  decisions: Decision[],
  unverified: boolean,
): Promise<DecidedExperience[]> {
  const names = new Set(decisions.flatMap((d) => (d.variant ? placeholderNames(d.variant.content) : [])));
  const values =
    names.size > 0 && personId !== null && !unverified
      ? await namedAttributeValues(store.db, personId, [...names])
      : new Map<string, unknown>();
  return decisions.map((decision) => ({
    id: decision.experience.id,
    type: decision.experience.type,
    variant: decision.variantName,
    content: decision.variant ? fillPlaceholders(decision.variant.content, values) : null,
    frequency: decision.experience.frequency,
  }));
}
