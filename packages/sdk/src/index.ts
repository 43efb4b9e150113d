import { type Acquaint, createAcquaint } from './client.js';
import { guard } from './debug-log.js';

type Global = { acquaint?: Partial<Acquaint> & { _q?: [keyof Acquaint, unknown[]][] } };

/**
 * Entry of sdk.js: defines `window.acquaint`.
 *
 * strategy: take over the global from the snippet's stub (or create it when the page loads
 * sdk.js with a plain script tag), then replay the calls the stub queued, in the order they were
 * made. A second copy of sdk.js on the page leaves the first one in charge. The default server
 * is the origin this file was loaded from.
 */
const page = window as unknown as Global;
const stub = page.acquaint;
if (!stub?.version) {
  const script = document.currentScript as HTMLScriptElement | null;
  const acquaint = createAcquaint(script?.src ? new URL(script.src).origin : location.origin);
  page.acquaint = acquaint;
  guard(() => {
    for (const [name, args] of stub?._q ?? []) {
      const method = acquaint[name];
      if (typeof method === 'function') (method as (...args: unknown[]) => unknown)(...args);
    }
  })();
}
