/** The `acquaint` global as test code running in the page (page.evaluate) sees it. */
export interface AcquaintInPage {
  version?: string;
  _q?: unknown[];
  init(...args: unknown[]): void;
  identify(...args: unknown[]): void;
  setOnce(...args: unknown[]): void;
  unset(...args: unknown[]): void;
  increment(...args: unknown[]): void;
  append(...args: unknown[]): void;
  union(...args: unknown[]): void;
  remove(...args: unknown[]): void;
  track(...args: unknown[]): void;
  page(...args: unknown[]): void;
  reset(): void;
  optOut(): void;
  optIn(): void;
  ready(callback: () => void): void;
  getAnonymousId(): string | null;
  getUserId(): string | null;
  isOptedOut(): boolean | null;
}

declare global {
  var acquaint: AcquaintInPage;
}
