/** A ready-made dynamic group the dashboard offers (DESIGN §4): POST its condition to create it. */
export interface GroupTemplate {
  key: string;
  name: string;
  description: string;
  condition: Record<string, unknown>;
}

/** The templates, in the order the dashboard shows them. */
export const GROUP_TEMPLATES: readonly GroupTemplate[] = [
  {
    key: 'anonymous_users',
    name: 'Anonymous users',
    description: 'Visitors not (yet) identified by a user id.',
    condition: { identified: false },
  },
  {
    key: 'known_users',
    name: 'Known users',
    description: 'Persons identified by a user id, from the website or an import.',
    condition: { identified: true },
  },
  {
    key: 'loyal_users',
    name: 'Loyal users',
    description: '3 or more sessions in the last 30 days, on any of their devices.',
    condition: { sessions: { op: 'gte', value: 3 }, within_days: 30 },
  },
  {
    key: 'imported_not_bound',
    name: 'Imported but not bound',
    description: 'Users uploaded from your database who have not yet signed in on the website.',
    condition: { all: [{ imported: true }, { bound: false }] },
  },
];
