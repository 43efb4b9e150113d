/** Starting sizes; both grow by doubling. */
const INITIAL_SLOTS = 1 << 12;
const INITIAL_UNITS = 1 << 16;

/**
 * The user ids an upload has had so far, to report a repeated one. A file has no row limit, and a
 * `Set` of a million ids costs about 80 MB of heap (a string object and an entry each); this keeps
 * them exactly, one byte a character end to end in one typed array (14 MB for a million ids of 14
 * characters), found through an open-addressing table of entry numbers with their hashes alongside.
 * An id with a character beyond Latin-1 (U+00FF) is kept in a plain set instead: an id goes to
 * one or the other by its characters alone, so equal ids always meet.
 */
export class SeenUserIds {
  private units = new Uint8Array(INITIAL_UNITS);
  private used = 0;
  /** Entry i is units [starts[i], starts[i + 1]); hashes[i] is its hash. */
  private starts = new Uint32Array(INITIAL_SLOTS / 2 + 1);
  private hashes = new Uint32Array(INITIAL_SLOTS / 2);
  private count = 0;
  /** Entry number + 1 per slot, 0 when free; at most half full. */
  private slots = new Uint32Array(INITIAL_SLOTS);
  private wide: Set<string> | null = null;

  get size(): number {
    return this.count + (this.wide?.size ?? 0);
  }

  /** Remembers `id`; answers whether it was already there. */
  add(id: string): boolean {
    const length = id.length;
    if (this.used + length > this.units.length) this.growUnits(length);
    const units = this.units;
    const start = this.used;
    let hash = 0x811c9dc5;
    for (let i = 0; i < length; i++) {
      const unit = id.charCodeAt(i);
      if (unit > 0xff) return this.addWide(id);
      units[start + i] = unit;
      hash = Math.imul(hash ^ unit, 0x01000193);
    }
    hash >>>= 0;
    // Room for one more entry, the table staying at most half full.
    if ((this.count + 1) * 2 > this.slots.length) this.growSlots();
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot];
      if (entry === 0) {
        this.slots[slot] = this.count + 1;
        this.hashes[this.count] = hash;
        this.count += 1;
        this.used = start + length;
        this.starts[this.count] = this.used;
        return false;
      }
      if (this.hashes[entry - 1] === hash && this.sameUnits(entry - 1, start, length)) return true;
    }
  }

  private addWide(id: string): boolean {
    this.wide ??= new Set();
    if (this.wide.has(id)) return true;
    // A copy: the id is sliced out of a piece of the file, which the set would keep alive.
    this.wide.add(` ${id}`.slice(1));
    return false;
  }

  private sameUnits(entry: number, start: number, length: number): boolean {
    const from = this.starts[entry];
    if (this.starts[entry + 1] - from !== length) return false;
    const units = this.units;
    for (let i = 0; i < length; i++) if (units[from + i] !== units[start + i]) return false;
    return true;
  }

  private growUnits(needed: number): void {
    const next = new Uint8Array(Math.max(this.units.length * 2, this.used + needed));
    next.set(this.units.subarray(0, this.used));
    this.units = next;
  }

  private growSlots(): void {
    const slots = new Uint32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.count; entry++) {
      let slot = this.hashes[entry] & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
    const hashes = new Uint32Array(slots.length / 2);
    hashes.set(this.hashes);
    this.hashes = hashes;
    const starts = new Uint32Array(slots.length / 2 + 1);
    starts.set(this.starts);
    this.starts = starts;
  }
}
