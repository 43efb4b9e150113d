import type SqliteDatabase from 'better-sqlite3';

/** What one visitor tally has counted, in all and per stored attribute value. */
export interface VisitorCounts {
  visitors: number;
  /** Events named as the metric's event. */
  events: number;
  /** Visitors with at least one such event. */
  converters: number;
}

/**
 * The visitors of one report, by person id: whether each person visited, and how many of the
 * metric's events they sent. Typed arrays indexed by id instead of a sort by person: SQLite's
 * `group by person` over a million visitors costs more than the rest of the report. (A byte per
 * visit flag: marking a million visitors in a `Float64Array` measured half as fast again.)
 */
export class VisitorTally {
  private readonly visited: Uint8Array;
  private readonly events: Float64Array;
  private eventTotals = { events: 0, converters: 0 };
  /** Whether a person id above the one the tally was sized for was seen (nothing then is exact). */
  outOfRange = false;

  constructor(maxPersonId: number) {
    this.visited = new Uint8Array(maxPersonId + 1);
    this.events = new Float64Array(maxPersonId + 1);
  }

  visit(person: unknown): void {
    if (typeof person === 'number' && person >= 0 && person < this.visited.length) this.visited[person] = 1;
    else if (person !== null) this.outOfRange = true;
  }

  /** Adds events of the metric sent by `person`, who must have been marked a visitor first. */
  addEvents(person: unknown, events: unknown): void {
    const count = Number(events);
    if (typeof person !== 'number' || this.visited[person] !== 1 || !(count > 0)) return;
    if (this.events[person] === 0) this.eventTotals.converters++;
    this.events[person] += count;
    this.eventTotals.events += count;
  }

  /** Adds a holder of a value to `counts` when they visited. */
  countHolder(counts: VisitorCounts, person: unknown): void {
    if (typeof person !== 'number' || this.visited[person] !== 1) return;
    counts.visitors++;
    const events = this.events[person];
    if (events > 0) {
      counts.converters++;
      counts.events += events;
    }
  }

  get totals(): VisitorCounts {
    let visitors = 0;
    for (const mark of this.visited) visitors += mark;
    return { visitors, ...this.eventTotals };
  }
}

/** The tally the report functions count into while a synchronous statement runs; null otherwise. */
let current: VisitorTally | null = null;

/**
 * Runs `count` (synchronous statements on this process's connection) with the report functions
 * counting into `tally`. Nothing else can run on the connection meanwhile: the statements hold the
 * thread until they return.
 */
export function tallyingInto<T>(tally: VisitorTally, count: () => T): T {
  current = tally;
  try {
    return count();
  } finally {
    current = null;
  }
}

/**
 * The aggregate functions breakdown reports call on SQLite (see `attribute-activity-in-process.ts`):
 * `acquaint_visit(person_id)` marks a visitor, `acquaint_events(person_id, n)` adds a visitor's
 * events of the metric, and `acquaint_holders(person_id)` grouped by a value gives that value's
 * holders among the visitors as JSON `[visitors, events, converters]`. Outside `tallyingInto` they
 * count nothing.
 */
export function registerReportFunctions(connection: SqliteDatabase.Database): void {
  connection.aggregate('acquaint_visit', {
    start: 0,
    step: (rows: number, person: unknown) => {
      current?.visit(person);
      return rows + 1;
    },
  });
  connection.aggregate('acquaint_events', {
    varargs: true,
    start: 0,
    step: (rows: number, ...[person, events]: unknown[]) => {
      current?.addEvents(person, events);
      return rows + 1;
    },
  });
  connection.aggregate('acquaint_holders', {
    start: (): VisitorCounts => ({ visitors: 0, events: 0, converters: 0 }),
    step: (counts: VisitorCounts, person: unknown) => {
      current?.countHolder(counts, person);
      return counts;
    },
    result: (counts: VisitorCounts) => JSON.stringify([counts.visitors, counts.events, counts.converters]),
  });
}
