/**
 * The synthetic shop the group and report benchmarks share: its sizes, the end of its 90 days, and
 * the values its persons, devices and events take. `dataset-sql.ts` writes it into a database.
 */
/** Persons in each named size; events are about ten times as many. */
export const DATASET_SIZES = { '10k': 10_000, '100k': 100_000, '1m': 1_000_000 } as const;
export type DatasetSize = keyof typeof DATASET_SIZES;

export const DATASET_END = Date.UTC(2026, 9, 1);
export const LEVELS = ['bronze', 'silver', 'gold', 'diamond'] as const;
export const COUNTRIES = ['JP', 'US', 'GB', 'DE', 'FR', 'KR', 'TW', 'AU', 'CA', 'BR', 'IN', 'SG'];
export const INTERESTS = [
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
export const AGENTS = {
  mobile:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  desktop:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  tablet:
    'Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  bot: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
} as const;
export const REFERRERS = [
  '',
  '',
  'https://www.google.com/',
  'https://t.co/x',
  'https://shop.example/?utm_source=newsletter',
];

/** The attributes of the dataset and their types, for `attribute_definitions`. */
export const DATASET_ATTRIBUTES = {
  membership_level: 'string',
  age: 'number',
  country: 'string',
  signup_date: 'datetime',
  interests: 'list',
} as const;
