/**
 * A synthetic shop for the group and report benchmarks: persons with five attributes (uploaded
 * from a CRM), their devices, and about ten events per person over 90 days, cross-device, with
 * events sent before sign-in. Deterministic for a seed. Rows are handed out in batches to a
 * writer (`dataset-writers.ts`) that puts them straight into the database in bulk statements.
 */

/** Persons in each named size; events are about ten times as many. */
export const DATASET_SIZES = { '10k': 10_000, '100k': 100_000, '1m': 1_000_000 } as const;
export type DatasetSize = keyof typeof DATASET_SIZES;

export interface DatasetOptions {
  persons: number;
  /** Events per person on average (default 10). */
  eventsPerPerson?: number;
  days?: number;
  /** The end of the 90 days (exclusive), ms; fixed by default so runs compare. */
  end?: number;
  seed?: number;
}

export const DATASET_END = Date.UTC(2026, 9, 1);
export const LEVELS = ['bronze', 'silver', 'gold', 'diamond'] as const;
const LEVEL_WEIGHTS = [0.5, 0.3, 0.15, 0.05];
const COUNTRIES = ['JP', 'US', 'GB', 'DE', 'FR', 'KR', 'TW', 'AU', 'CA', 'BR', 'IN', 'SG'];
const INTERESTS = [
  'sports',
  'music',
  'travel',
  'food',
  'fashion',
  'tech',
  'books',
  'games',
  'movies',
  'outdoors',
];
const AGENTS = {
  mobile:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  desktop:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  tablet:
    'Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  bot: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
} as const;
type DeviceType = keyof typeof AGENTS;
const REFERRERS = [
  '',
  '',
  'https://www.google.com/',
  'https://t.co/x',
  'https://shop.example/?utm_source=newsletter',
];

export interface PersonRow {
  id: number;
  user_id: string | null;
  first_seen: number;
  last_seen: number;
}
export interface DeviceRow {
  anonymous_id: string;
  person_id: number;
  first_seen: number;
  last_seen: number;
  user_agent: string;
  device_type: DeviceType;
}
export interface AttributeRow {
  person_id: number;
  name: string;
  value: string;
}
export interface EventRow {
  message_id: string;
  type: string;
  name: string | null;
  anonymous_id: string;
  user_id: string | null;
  timestamp: number;
  session_id: string;
  url: string;
  referrer: string | null;
}

/** Where the rows go; each call gets one batch, in the order persons' events, then the rest. */
export interface DatasetSink {
  events(rows: EventRow[]): Promise<void>;
  persons(rows: PersonRow[]): Promise<void>;
  devices(rows: DeviceRow[]): Promise<void>;
  attributes(rows: AttributeRow[]): Promise<void>;
}

/** The attributes of the dataset and their types, for `attribute_definitions`. */
export const DATASET_ATTRIBUTES = {
  membership_level: 'string',
  age: 'number',
  country: 'string',
  signup_date: 'datetime',
  interests: 'list',
} as const;

/** Small, fast, seeded PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BATCH = 5000;

/**
 * strategy: decide each person once (identified 70%, crawler 0.5%, else anonymous; 1–3 devices
 * for the identified), then walk the days in order so events arrive in time order as live traffic
 * would: each day a person visits with a fixed chance, on one of their devices, for a session of a
 * few page views and maybe `add_to_cart` and `purchase` (likelier for higher levels). A device's
 * first session starts anonymous and signs in part-way (for one in five, after the purchase).
 * Persons, devices and attributes follow, with first/last seen taken from the events.
 */
export async function generateDataset(
  options: DatasetOptions,
  sink: DatasetSink,
): Promise<{ events: number }> {
  const { persons } = options;
  const days = options.days ?? 90;
  const end = options.end ?? DATASET_END;
  const start = end - days * 86_400_000;
  const rand = random(options.seed ?? 42);
  const eventsPerSession = 3.5 + 0.3 + 0.1;
  const visitChance = (options.eventsPerPerson ?? 10) / (days * eventsPerSession);

  const kind = new Uint8Array(persons); // 0 anonymous, 1 identified, 2 crawler
  const level = new Uint8Array(persons);
  const deviceCount = new Uint8Array(persons);
  const deviceBase = new Uint32Array(persons);
  let devices = 0;
  for (let i = 0; i < persons; i++) {
    const r = rand();
    kind[i] = r < 0.7 ? 1 : r < 0.705 ? 2 : 0;
    const l = rand();
    level[i] = l < LEVEL_WEIGHTS[0] ? 0 : l < 0.8 ? 1 : l < 0.95 ? 2 : 3;
    const d = rand();
    deviceCount[i] = kind[i] !== 1 ? 1 : d < 0.08 ? 3 : d < 0.35 ? 2 : 1;
    deviceBase[i] = devices;
    devices += deviceCount[i];
  }
  const deviceType = new Uint8Array(devices);
  const signedIn = new Uint8Array(devices);
  const deviceFirst = new Float64Array(devices).fill(Number.POSITIVE_INFINITY);
  const deviceLast = new Float64Array(devices);
  const types: DeviceType[] = ['mobile', 'desktop', 'tablet', 'bot'];
  for (let i = 0; i < persons; i++) {
    for (let k = 0; k < deviceCount[i]; k++) {
      const t = rand();
      deviceType[deviceBase[i] + k] =
        kind[i] === 2 ? 3 : k === 0 ? (t < 0.55 ? 0 : t < 0.95 ? 1 : 2) : (deviceType[deviceBase[i]] + k) % 3;
    }
  }

  const anonymousId = (i: number, k: number) => `a${i + 1}-${k}`;
  const userId = (i: number) => `member-${i + 1}`;
  let batch: EventRow[] = [];
  let count = 0;
  const push = async (row: EventRow) => {
    batch.push(row);
    count++;
    if (batch.length >= BATCH) {
      await sink.events(batch);
      batch = [];
    }
  };
  for (let day = 0; day < days; day++) {
    const dayStart = start + day * 86_400_000;
    for (let i = 0; i < persons; i++) {
      if (rand() >= visitChance) continue;
      const k = Math.floor(rand() * deviceCount[i]);
      const device = deviceBase[i] + k;
      const anon = anonymousId(i, k);
      const session = `${anon}-${day}`;
      let at = dayStart + Math.floor(rand() * 80_000_000);
      const sessionStart = at;
      const pages = 1 + Math.floor(rand() * 6);
      const steps: [string, string | null][] = [];
      for (let p = 0; p < pages; p++) steps.push(['page', null]);
      if (rand() < 0.3) steps.push(['track', 'add_to_cart']);
      if (rand() < 0.04 + 0.04 * level[i]) steps.push(['track', 'purchase']);
      let signInAt = -1;
      if (kind[i] === 1 && !signedIn[device]) signInAt = rand() < 0.2 ? steps.length : 1;
      if (kind[i] === 1 && signedIn[device]) signInAt = 0;
      for (let s = 0; s <= steps.length; s++) {
        if (s === signInAt && kind[i] === 1 && !signedIn[device]) {
          signedIn[device] = 1;
          await push(event('identify', null, anon, userId(i), at, session, count));
          at += 1000;
        }
        if (s === steps.length) break;
        const [type, name] = steps[s];
        const row = event(type, name, anon, signedIn[device] ? userId(i) : null, at, session, count);
        if (s === 0) row.referrer = REFERRERS[Math.floor(rand() * REFERRERS.length)] || null;
        await push(row);
        at += 30_000 + Math.floor(rand() * 90_000);
      }
      deviceFirst[device] = Math.min(deviceFirst[device], sessionStart);
      deviceLast[device] = Math.max(deviceLast[device], at);
    }
  }
  if (batch.length) await sink.events(batch);

  await writeProfiles(sink, {
    persons,
    kind,
    level,
    deviceCount,
    deviceBase,
    deviceType,
    deviceFirst,
    deviceLast,
    types,
    start,
    rand,
    userId,
    anonymousId,
  });
  return { events: count };
}

function event(
  type: string,
  name: string | null,
  anonymous_id: string,
  user_id: string | null,
  timestamp: number,
  session_id: string,
  n: number,
): EventRow {
  return {
    message_id: `m${n}`,
    type,
    name,
    anonymous_id,
    user_id,
    timestamp,
    session_id,
    url: `https://shop.example/p/${n % 500}`,
    referrer: null,
  };
}

async function writeProfiles(
  sink: DatasetSink,
  d: {
    persons: number;
    kind: Uint8Array;
    level: Uint8Array;
    deviceCount: Uint8Array;
    deviceBase: Uint32Array;
    deviceType: Uint8Array;
    deviceFirst: Float64Array;
    deviceLast: Float64Array;
    types: DeviceType[];
    start: number;
    rand: () => number;
    userId: (i: number) => string;
    anonymousId: (i: number, k: number) => string;
  },
): Promise<void> {
  const persons: PersonRow[] = [];
  const devices: DeviceRow[] = [];
  const attributes: AttributeRow[] = [];
  const flush = async (all = false) => {
    if (persons.length >= BATCH || all) await sink.persons(persons.splice(0));
    if (devices.length >= BATCH || all) await sink.devices(devices.splice(0));
    if (attributes.length >= BATCH || all) await sink.attributes(attributes.splice(0));
  };
  for (let i = 0; i < d.persons; i++) {
    let first = Number.POSITIVE_INFINITY;
    let last = d.start;
    for (let k = 0; k < d.deviceCount[i]; k++) {
      const device = d.deviceBase[i] + k;
      const seen = Number.isFinite(d.deviceFirst[device]);
      const type = d.types[d.deviceType[device]];
      devices.push({
        anonymous_id: d.anonymousId(i, k),
        person_id: i + 1,
        first_seen: seen ? d.deviceFirst[device] : d.start,
        last_seen: seen ? d.deviceLast[device] : d.start,
        user_agent: AGENTS[type],
        device_type: type,
      });
      if (seen) {
        first = Math.min(first, d.deviceFirst[device]);
        last = Math.max(last, d.deviceLast[device]);
      }
    }
    const identified = d.kind[i] === 1;
    persons.push({
      id: i + 1,
      user_id: identified ? d.userId(i) : null,
      first_seen: Number.isFinite(first) ? first : d.start,
      last_seen: last,
    });
    if (identified) {
      const r = d.rand;
      // One member in ten has no level on file: the report's null row.
      if (r() >= 0.1)
        attributes.push({
          person_id: i + 1,
          name: 'membership_level',
          value: JSON.stringify(LEVELS[d.level[i]]),
        });
      attributes.push({ person_id: i + 1, name: 'age', value: String(18 + Math.floor(r() * 62)) });
      attributes.push({
        person_id: i + 1,
        name: 'country',
        value: JSON.stringify(COUNTRIES[Math.floor(r() * COUNTRIES.length)]),
      });
      const signup = d.start - Math.floor(r() * 3 * 365 * 86_400_000);
      attributes.push({
        person_id: i + 1,
        name: 'signup_date',
        value: JSON.stringify(new Date(signup).toISOString()),
      });
      const picked = new Set<string>();
      const n = 1 + Math.floor(r() * 3);
      while (picked.size < n) picked.add(INTERESTS[Math.floor(r() * INTERESTS.length)]);
      attributes.push({ person_id: i + 1, name: 'interests', value: JSON.stringify([...picked]) });
    }
    await flush();
  }
  await flush(true);
}
