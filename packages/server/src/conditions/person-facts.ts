import type { TypedAttributeValue } from '../attributes/typed-attribute-value.js';
import type { VisitFacts } from './condition.js';

/** One event of a person, as behaviour leaves read it. */
export interface PersonEventFact {
  /** `track`, `page`, `identify`, ... */
  type: string;
  name: string | null;
  timestamp: number;
  /** The session, named with its device (`<anonymous id> <session id>`); null when none. */
  session: string | null;
  url: string | null;
  /** `properties.experience_id` of an experience event. */
  experienceId: string | null;
}

/**
 * Everything a condition may ask about one person, loaded once (`loadPersonFacts`) and evaluated
 * in memory: its attributes (default `$` ones included) read through every type, its events over
 * all its devices and before sign-in (DESIGN §3 rule 5), its static groups and its devices.
 */
export interface PersonFacts {
  identified: boolean;
  imported: boolean;
  bound: boolean;
  /** Live attribute values by name; a name absent here is not set. */
  attributes: ReadonlyMap<string, TypedAttributeValue>;
  events: readonly PersonEventFact[];
  staticGroupIds: ReadonlySet<string>;
  /** What each of the person's devices tells of a visit (used when no visit is being decided). */
  devices: readonly VisitFacts[];
}

/** The event name of an experience impression (DESIGN §4, personalisation). */
export const EXPERIENCE_IMPRESSION = '$experience_impression';

/**
 * The host of a URL as conditions compare it: lower-cased text between `scheme://` and the next
 * `/ ? # :`; null without a scheme. Written as one pattern so that SQL computes the same.
 */
export function urlHost(url: string | null): string | null {
  if (url === null) return null;
  const match = URL_HOST.exec(url);
  return match ? match[1].toLowerCase() : null;
}
export const URL_HOST = /^[^:/?#]+:\/\/([^/?#:]*)/;
export const URL_HOST_POSIX = '^[^:/?#]+://([^/?#:]*)';
