import SqliteDatabase from 'better-sqlite3';
import { preparePrivateDatabaseFile } from './private-files.js';

/**
 * One acknowledged request as received: its body's bytes and what its messages were validated
 * with, so that replaying it validates them the same way.
 */
export interface LoggedRequest {
  projectId: string;
  receivedAt: number;
  /** The message type of a single-message route (`/v1/track`…); null for a batch body. */
  messageType: string | null;
  maxMessageBytes: number;
  /**
   * When the project verified identities at the time (DESIGN §3 rule 10): the indexes of the
   * messages whose userHash was valid then; null when it did not. The secret is never logged.
   */
  verifiedIndexes: number[] | null;
  /** Messages without a messageId were named `<this>-<index>` when answered. */
  generatedIdPrefix: string;
  body: Buffer;
}

export interface LogEntry extends LoggedRequest {
  seq: number;
  /** The project's secret, in entries logged before verification outcomes were (read to apply them). */
  legacyIdentitySecret: string | null;
}

/** An entry the applier set aside, with the error it failed with. */
export interface FailedLogEntry extends LogEntry {
  error: string;
}

interface FailedRow {
  seq: number;
  error: string;
  project_id: string;
  received_at: number;
  message_type: string | null;
  max_message_bytes: number;
  identity_secret: string | null;
  verified_indexes: string | null;
  generated_id_prefix: string;
  body: Buffer;
}

type EntryRow = Omit<FailedRow, 'error'>;

const entryOf = (row: EntryRow): LogEntry => ({
  seq: row.seq,
  projectId: row.project_id,
  receivedAt: row.received_at,
  messageType: row.message_type,
  maxMessageBytes: row.max_message_bytes,
  verifiedIndexes: row.verified_indexes === null ? null : (JSON.parse(row.verified_indexes) as number[]),
  legacyIdentitySecret: row.identity_secret,
  generatedIdPrefix: row.generated_id_prefix,
  body: row.body,
});

const failedEntryOf = (row: FailedRow): FailedLogEntry => ({ ...entryOf(row), error: row.error });

/** The columns of an entry, as `entryOf` reads them (prefixed for a join). */
const entryColumns = (p = '') =>
  [
    'seq',
    'project_id',
    'received_at',
    'message_type',
    'max_message_bytes',
    'identity_secret',
    'verified_indexes',
    'generated_id_prefix',
    'body',
  ]
    .map((c) => p + c)
    .join(', ');

/** The log beside an SQLite database file: `data/acquaint.db` → `data/acquaint.db-ingest`. */
export const ingestionLogFile = (databaseFile: string) => `${databaseFile}-ingest`;

/**
 * The durable ingestion log of the SQLite backend: a second SQLite file (WAL) that each tracking
 * request is appended to, as received, before it is answered. Appends only grow the end of one
 * table, so a commit writes a few sequential pages, where applying the same messages to the
 * identity tables dirties hundreds of scattered ones. The applier reads it on its own connection
 * and sets aside entries it cannot apply; the serving thread appends and trims.
 */
export class SqliteIngestionLog {
  private readonly insert: SqliteDatabase.Statement;

  private constructor(private readonly db: SqliteDatabase.Database) {
    this.insert = db.prepare(`insert into entries
      (project_id, received_at, message_type, max_message_bytes, verified_indexes, generated_id_prefix, body)
      values (?, ?, ?, ?, ?, ?, ?)`);
  }

  static open(file: string): SqliteIngestionLog {
    preparePrivateDatabaseFile(file);
    const db = new SqliteDatabase(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 10000');
    // The applier checkpoints the log (`checkpoint`); the appending thread only past this backstop.
    db.pragma('wal_autocheckpoint = 100000');
    db.exec(`create table if not exists entries (
      seq integer primary key autoincrement,
      project_id text not null,
      received_at integer not null,
      message_type text,
      max_message_bytes integer not null,
      identity_secret text,
      generated_id_prefix text not null,
      body blob not null,
      verified_indexes text
    )`);
    // Logs written before verification outcomes were logged (their entries keep the secret, which
    // is read to apply them, and no new entry writes it).
    const columns = db.prepare('pragma table_info(entries)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'verified_indexes')) {
      db.exec('alter table entries add column verified_indexes text');
    }
    // Entries the applier could not apply are kept here, with why, rather than dropped.
    db.exec('create table if not exists failed (seq integer primary key, error text not null)');
    return new SqliteIngestionLog(db);
  }

  /** Appends and commits; returns the entry's sequence number. */
  append(request: LoggedRequest): number {
    const r = request;
    return Number(
      this.insert.run(
        r.projectId,
        r.receivedAt,
        r.messageType,
        r.maxMessageBytes,
        r.verifiedIndexes === null ? null : JSON.stringify(r.verifiedIndexes),
        r.generatedIdPrefix,
        r.body,
      ).lastInsertRowid,
    );
  }

  /** The last sequence number appended (0 for an empty log). */
  lastSeq(): number {
    const row = this.db.prepare("select seq from sqlite_sequence where name = 'entries'").get() as
      | { seq: number }
      | undefined;
    return row?.seq ?? 0;
  }

  /** Makes the next entry's number follow `seq` at least (for a log file younger than its database). */
  continueAfter(seq: number): void {
    if (this.lastSeq() >= seq) return;
    this.db.transaction(() => {
      this.db.prepare("delete from sqlite_sequence where name = 'entries'").run();
      this.db.prepare("insert into sqlite_sequence (name, seq) values ('entries', ?)").run(seq);
    })();
  }

  /** Entries after `seq`, in order, until their bodies reach about `maxBytes`. */
  read(afterSeq: number, maxBytes: number): LogEntry[] {
    const rows = this.db
      .prepare(`select ${entryColumns()} from entries where seq > ? order by seq`)
      .iterate(afterSeq) as IterableIterator<EntryRow>;
    const entries: LogEntry[] = [];
    let bytes = 0;
    for (const row of rows) {
      entries.push(entryOf(row));
      bytes += row.body.length;
      if (bytes >= maxBytes) break;
    }
    return entries;
  }

  /** Sets an entry aside that cannot be applied, with the reason (before the cursor passes it). */
  markFailed(seq: number, error: string): void {
    this.db.prepare('insert or replace into failed (seq, error) values (?, ?)').run(seq, error);
  }

  /** Forgets applied entries (not those set aside as failed). */
  trim(throughSeq: number): void {
    this.db
      .prepare('delete from entries where seq <= ? and seq not in (select seq from failed)')
      .run(throughSeq);
  }

  /** Entries of `projectId` set aside after `afterSeq`, oldest first, with why. */
  listFailed(projectId: string, afterSeq: number, limit: number): FailedLogEntry[] {
    const rows = this.db
      .prepare(
        `select f.error, ${entryColumns('e.')}
         from failed f join entries e on e.seq = f.seq
         where e.project_id = ? and f.seq > ? order by f.seq limit ?`,
      )
      .all(projectId, afterSeq, limit) as FailedRow[];
    return rows.map(failedEntryOf);
  }

  /** One entry set aside, or undefined when `seq` is not (or no longer) set aside. */
  findFailed(seq: number): FailedLogEntry | undefined {
    const row = this.db
      .prepare(
        `select f.error, ${entryColumns('e.')} from failed f join entries e on e.seq = f.seq where f.seq = ?`,
      )
      .get(seq) as FailedRow | undefined;
    return row && failedEntryOf(row);
  }

  /** Forgets an entry set aside once it is applied after all. */
  forgetFailed(seq: number): void {
    this.db.transaction(() => {
      this.db.prepare('delete from failed where seq = ?').run(seq);
      this.db.prepare('delete from entries where seq = ?').run(seq);
    })();
  }

  /** Copies the log's WAL into its file without waiting for, or blocking, the appending thread. */
  checkpoint(): void {
    this.db.pragma('wal_checkpoint(PASSIVE)');
  }

  close(): void {
    this.db.close();
  }
}
