import { UAParser } from 'ua-parser-js';
import { isCrawlerUserAgent } from './crawler-agents.js';

export interface ParsedUserAgent {
  deviceType: string;
  os: string | null;
  browser: string | null;
}

const cache = new Map<string, ParsedUserAgent>();
const CACHE_LIMIT = 5000;

/**
 * Device type (desktop, mobile, tablet, …, or `bot` for a known crawler, whatever device it
 * claims to be), OS and browser from a user agent. Parsing costs tens of
 * microseconds and the same few hundred agents arrive over and over, so answers are cached.
 */
export function parseUserAgent(userAgent: string): ParsedUserAgent {
  const cached = cache.get(userAgent);
  if (cached) return cached;
  const result = new UAParser(userAgent).getResult();
  const parsed: ParsedUserAgent = {
    deviceType: isCrawlerUserAgent(userAgent) ? 'bot' : (result.device.type ?? 'desktop'),
    os: result.os.name ?? null,
    browser: result.browser.name ?? null,
  };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(userAgent, parsed);
  return parsed;
}
