let enabled = false;

/** Turns the console warnings of `warn` on or off (the `debug` init option). */
export function setDebug(on: boolean): void {
  enabled = on;
}

/** A console warning in debug mode; silent otherwise, so the host page's console stays clean. */
export function warn(...details: unknown[]): void {
  if (enabled) console.warn('[acquaint]', ...details);
}

/** `fn` made safe to call from the host page, timers and event listeners: an error becomes a debug warning. */
export function guard<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R | undefined {
  return (...args) => {
    try {
      return fn(...args);
    } catch (error) {
      warn('internal error:', error);
      return undefined;
    }
  };
}
