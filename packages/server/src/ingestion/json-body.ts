import { RequestError } from '../errors/error-codes.js';

/**
 * Reads a JSON request body as tracking ingestion stores it. Used when a request arrives and again
 * when the ingestion log replays it, so both read the same thing.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw new RequestError('INVALID_BODY', 'the body is empty; send a JSON object');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new RequestError('INVALID_JSON', `the body is not valid JSON: ${(error as Error).message}`);
  }
  if (!UNSTORABLE_ESCAPE.test(text)) return parsed;
  try {
    return replaceUnstorableText(parsed);
  } catch {
    throw new RequestError('TOO_DEEPLY_NESTED', 'the body is nested too deeply');
  }
}

/** `\u0000` and unpaired surrogates: valid JSON, but PostgreSQL cannot store them in text or jsonb. */
const UNSTORABLE_ESCAPE = /\\u(0000|d[89a-f])/i;
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is one of the characters replaced.
const UNSTORABLE_CHARACTER = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * The parsed body with NUL characters and unpaired surrogates replaced by U+FFFD in every string
 * and key, as invalid UTF-8 bytes already are, so that every backend stores the same text.
 */
function replaceUnstorableText(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(UNSTORABLE_CHARACTER, '\ufffd');
  if (Array.isArray(value)) return value.map(replaceUnstorableText);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key.replace(UNSTORABLE_CHARACTER, '\ufffd'),
      replaceUnstorableText(inner),
    ]),
  );
}
