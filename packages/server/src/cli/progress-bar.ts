/** A one-line progress display on a terminal; on anything else, a plain line every few seconds. */
export class ProgressBar {
  private lastPlainAt = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly width = 30,
  ) {}

  /** Shows `fraction` (0–1, or null when the total is unknown) followed by `detail`. */
  update(fraction: number | null, detail: string): void {
    const percent = fraction === null ? '' : `${(fraction * 100).toFixed(1).padStart(5)}% `;
    if (!this.out.isTTY) {
      const now = Date.now();
      if (now - this.lastPlainAt < 5000) return;
      this.lastPlainAt = now;
      this.out.write(`${percent}${detail}\n`);
      return;
    }
    const filled = fraction === null ? 0 : Math.round(Math.min(1, fraction) * this.width);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(this.width - filled)}]`;
    this.out.write(`\r${bar} ${percent}${detail}\u001b[K`);
  }

  /** Ends the progress line so that what follows starts on a line of its own. */
  done(): void {
    if (this.out.isTTY) this.out.write('\n');
  }
}
