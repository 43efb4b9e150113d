import type SqliteDatabase from 'better-sqlite3';

/** What one visitor tally has counted, in all and per stored attribute value. */
export interface VisitorCounts {
  visitors: number;
  /** Events named as the metric's event. */
  events: number;
  /** Visitors with at least one such event. */
  converters: number;
}

/** Person ids per page of a tally: pages are allocated as ids in them are seen. */
const PAGE_BITS = 16;
const PAGE_MASK = (1 << PAGE_BITS) - 1;
/** Ids at or above this are not tallied (`outOfRange`): 2^31, so pages stay a dense array. */
const ID_LIMIT = 2 ** 31;

/**
 * The visitors of one report, by person id: whether each person visited, and how many of the
 * metric's events they sent. Arrays indexed by id instead of a sort by person: SQLite's `group by
 * person` over a million visitors costs more than the rest of the report. The arrays are paged
 * (65,536 ids a page, made when an id in it is seen), so a small report costs little however high
 * the database's ids have grown. (A byte per visit flag: marking a million visitors in a
 * `Float64Array` measured half as fast again.)
 */
export class VisitorTally {
  private readonly visited: Uint8Array[] = [];
  private readonly events: Float64Array[] = [];
  readonly totals: VisitorCounts = { visitors: 0, events: 0, converters: 0 };
  /** Whether a person id the tally cannot hold was seen (nothing then is exact). */
  outOfRange = false;

  visit(person: unknown): void {
    if (!tallied(person)) {
      if (person !== null) this.outOfRange = true;
      return;
    }
    const page = this.visited[person >>> PAGE_BITS] ?? this.newVisitedPage(person >>> PAGE_BITS);
    const slot = person & PAGE_MASK;
    if (page[slot] === 0) {
      page[slot] = 1;
      this.totals.visitors++;
    }
  }

  /** Adds events of the metric sent by `person`, who must have been marked a visitor first. */
  addEvents(person: unknown, events: unknown): void {
    const count = Number(events);
    if (!this.visitedBy(person) || !(count > 0)) return;
    const id = person as number;
    this.events[id >>> PAGE_BITS] ??= new Float64Array(PAGE_MASK + 1);
    const page = this.events[id >>> PAGE_BITS];
    if (page[id & PAGE_MASK] === 0) this.totals.converters++;
    page[id & PAGE_MASK] += count;
    this.totals.events += count;
  }

  /** Adds a holder of a value to `counts` when they visited. */
  countHolder(counts: VisitorCounts, person: unknown): void {
    if (!this.visitedBy(person)) return;
    counts.visitors++;
    const id = person as number;
    const events = this.events[id >>> PAGE_BITS]?.[id & PAGE_MASK] ?? 0;
    if (events > 0) {
      counts.converters++;
      counts.events += events;
    }
  }

  private visitedBy(person: unknown): boolean {
    return tallied(person) && this.visited[person >>> PAGE_BITS]?.[person & PAGE_MASK] === 1;
  }

  private newVisitedPage(pageNumber: number): Uint8Array {
    const page = new Uint8Array(PAGE_MASK + 1);
    this.visited[pageNumber] = page;
    return page;
  }
}

/** Whether `person` is an id a tally holds. */
function tallied(person: unknown): person is number {
  return typeof person === 'number' && person >= 0 && person < ID_LIMIT;
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
