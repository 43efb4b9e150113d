import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what its last full collection left live while a CSV
 * import runs (percent). An import promotes a steady stream of short-lived objects (each chunk's
 * rows live until it commits); by its own rule V8 lets them pile up to 3–4× the live heap (1M SQLite
 * rows: 30 MB live, collected at 95–150 MB, peak RSS 303–331 MB) before collecting. At 50% the
 * collections come sooner and the peak falls to ~240 MB for the same time and CPU.
 */
export const IMPORT_HEAP_GROWING_PERCENT = 50;

/** V8's own heuristic (what `--heap-growing-percent=0` means). */
const V8_DEFAULT = 0;

/** The flag was given to node itself (`node --heap-growing-percent=…`): that one stays. */
const chosenByUser = process.execArgv.some((arg) => /heap[-_]growing[-_]percent/.test(arg));

let bounding = 0;
let current = V8_DEFAULT;

/**
 * Bounds the heap's growth (`percent`, V8's process-wide `--heap-growing-percent`) until the
 * answered function is called; imports that overlap share it (the tightest wins) and V8's own
 * heuristic returns when the last ends. 0 leaves V8's heuristic alone. The flag only changes when
 * the next full collection sets the next limit, so it costs nothing between imports.
 */
export function boundHeapGrowth(
  percent: number,
  setFlags: (flags: string) => void = setFlagsFromString,
): () => void {
  const rounded = Math.round(percent);
  if (chosenByUser || !(rounded > 0)) return () => {};
  bounding += 1;
  if (current === V8_DEFAULT || rounded < current) {
    current = rounded;
    setFlags(`--heap-growing-percent=${current}`);
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    bounding -= 1;
    if (bounding === 0) {
      current = V8_DEFAULT;
      setFlags(`--heap-growing-percent=${V8_DEFAULT}`);
    }
  };
}
