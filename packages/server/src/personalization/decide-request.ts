import { legalId } from '../identity/illegal-ids.js';

/** A `POST /v1/decide` body, checked. */
export interface DecideRequest {
  anonymousId: string;
  /** The legal user id sent, before identity verification is judged. */
  userId: string | null;
  userHash: unknown;
  url: string;
  referrer: string | null;
  sessionId: string | null;
  /** A preview token from a preview link. */
  preview: string | null;
}

export type ReadDecideRequest =
  | { ok: true; request: DecideRequest }
  | { ok: false; pointer: string; message: string };

const MAX_URL_LENGTH = 4096;

/**
 * Reads a decide body: `anonymousId` and an absolute http(s) `url` are required; an illegal or
 * missing `userId` means an anonymous visitor (decide never refuses a visitor for it).
 */
export function readDecideRequest(body: unknown): ReadDecideRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, pointer: '/', message: 'the body must be a JSON object {"anonymousId", "url", ...}' };
  }
  const fields = body as Record<string, unknown>;
  const anonymousId = legalId(fields.anonymousId);
  if (anonymousId === null) {
    return {
      ok: false,
      pointer: '/anonymousId',
      message: "anonymousId is required: the visitor's anonymous id (a legal id)",
    };
  }
  const url = fields.url;
  if (typeof url !== 'string' || url.length > MAX_URL_LENGTH || !isHttpUrl(url)) {
    return {
      ok: false,
      pointer: '/url',
      message: `url is required: the absolute http(s) URL of the page, up to ${MAX_URL_LENGTH} characters`,
    };
  }
  const optionalText = (value: unknown, max: number) =>
    typeof value === 'string' && value.length > 0 ? value.slice(0, max) : null;
  return {
    ok: true,
    request: {
      anonymousId,
      userId: legalId(fields.userId),
      userHash: fields.userHash,
      url,
      referrer: optionalText(fields.referrer, MAX_URL_LENGTH),
      sessionId: optionalText(fields.sessionId, 200),
      preview: optionalText(fields.preview, 300),
    },
  };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
