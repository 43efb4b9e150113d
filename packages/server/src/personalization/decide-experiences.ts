import { CONTROL, type Experience, type Variant } from './experience.js';
import { pickVariant } from './pick-variant.js';
import { matchesPages, type PageUrl, pageUrl } from './url-rules.js';

/** A stored assignment as decide needs it. */
export interface KnownAssignment {
  experienceId: string;
  variant: string;
  lastSessionId: string | null;
}

export interface DecideInput {
  /** Published experiences of the project. */
  experiences: readonly Experience[];
  now: number;
  /** The page: its URL, or the URL already parsed (`pageUrl`). */
  url: string | PageUrl;
  sessionId: string | null;
  /** The anonymous id of the request: where an unrecorded visitor falls (pickVariant). */
  bucketKey: string;
  /** Assignments of the person decided for; else of the visitor's device person (carried over). */
  assignments: {
    own: ReadonlyMap<string, KnownAssignment>;
    carried: ReadonlyMap<string, KnownAssignment>;
  };
  /** Whether the visitor is in an experience's target (everyone, groups, condition). */
  targeted: (experience: Experience) => boolean;
  /** An experience and variant shown whatever its status, schedule, target and frequency (a preview). */
  preview?: { experienceId: string; variantIndex: number; experience?: Experience };
}

export interface Decision {
  experience: Experience;
  /** The variant shown; null for the control. */
  variant: Variant | null;
  variantName: string;
  /** Whether the assignment must be written: first time, a new session, or a variant replaced. */
  record: 'new' | 'shown' | 'replace' | 'none';
}

/**
 * Which experiences a visitor sees on this page, highest priority first.
 *
 * strategy: drop what is out of schedule or off this page first (cheap, no person needed); then
 * the target; then the variant: the person's own assignment, else the one carried from the
 * visitor's anonymous device person (an identified person's assignment wins), else a new one
 * by pickVariant. Frequency is judged on that assignment: once per user shows only when there
 * was none, once per session only when it was last shown in another session. An assignment whose
 * variant was removed from the experience is replaced. A preview skips status, schedule, target
 * and frequency, and records nothing.
 */
export function decideExperiences(input: DecideInput): Decision[] {
  const decisions: Decision[] = [];
  const previewed = input.preview?.experience;
  const page = typeof input.url === 'string' ? pageUrl(input.url) : input.url;
  for (const experience of input.experiences) {
    if (experience.id === previewed?.id) continue;
    if (experience.starts_at !== null && input.now < experience.starts_at) continue;
    if (experience.ends_at !== null && input.now >= experience.ends_at) continue;
    if (!matchesPages(experience.pages, page)) continue;
    if (!input.targeted(experience)) continue;
    const decision = decideOne(experience, input);
    if (decision) decisions.push(decision);
  }
  if (previewed && input.preview && matchesPages(previewed.pages, page)) {
    const variant = previewed.variants[input.preview.variantIndex] ?? previewed.variants[0];
    decisions.push({ experience: previewed, variant, variantName: variant.name, record: 'none' });
  }
  return decisions.sort((a, b) => b.experience.priority - a.experience.priority);
}

function decideOne(experience: Experience, input: DecideInput): Decision | null {
  const own = input.assignments.own.get(experience.id);
  const known = own ?? input.assignments.carried.get(experience.id);
  const stillThere =
    known &&
    (known.variant === CONTROL ? experience.control_weight > 0 : variantNamed(experience, known.variant));
  if (known && stillThere) {
    if (experience.frequency === 'once_per_user') return null;
    if (
      experience.frequency === 'once_per_session' &&
      input.sessionId !== null &&
      known.lastSessionId === input.sessionId
    ) {
      return null;
    }
  }
  const variantName = known && stillThere ? known.variant : pickVariant(experience, input.bucketKey);
  const record = !own ? 'new' : stillThere ? 'shown' : 'replace';
  return {
    experience,
    variant: variantNamed(experience, variantName) ?? null,
    variantName,
    record: record === 'shown' && experience.frequency === 'every_page' ? 'none' : record,
  };
}

function variantNamed(experience: Experience, name: string): Variant | undefined {
  return experience.variants.find((variant) => variant.name === name);
}
