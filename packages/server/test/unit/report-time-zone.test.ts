import { describe, expect, it } from 'vitest';
import { isCrawlerUserAgent } from '../../src/devices/crawler-agents.js';
import { parseUserAgent } from '../../src/devices/parse-user-agent.js';
import { attributeKeys } from '../../src/reports/breakdown-report.js';
import { readInstant } from '../../src/reports/report-request.js';
import {
  canonicalTimeZone,
  dayLabel,
  dayNumber,
  localDate,
  offsetSegments,
  weekStart,
} from '../../src/reports/time-zone.js';

describe('report calendar', () => {
  it('finds the exact instant a zone changes its offset', () => {
    // Berlin moves from UTC+1 to UTC+2 at 2026-03-29T01:00:00Z.
    const from = Date.parse('2026-03-28T00:00:00Z');
    const segments = offsetSegments('Europe/Berlin', from, Date.parse('2026-04-01T00:00:00Z'));
    expect(segments).toEqual([
      { from, offsetMs: 3_600_000 },
      { from: Date.parse('2026-03-29T01:00:00Z'), offsetMs: 7_200_000 },
    ]);
    // 23:30 UTC on 29 March is 01:30 on 30 March in Berlin (summer time).
    expect(dayLabel(dayNumber(segments, Date.parse('2026-03-29T23:30:00Z')))).toBe('2026-03-30');
    expect(dayLabel(dayNumber(segments, Date.parse('2026-03-28T22:30:00Z')))).toBe('2026-03-28');
  });

  it('reads dates without a zone as wall-clock time in the project zone', () => {
    expect(readInstant('2026-03-02', 'Asia/Tokyo')).toBe(Date.parse('2026-03-01T15:00:00Z'));
    expect(readInstant('2026-03-30', 'Europe/Berlin')).toBe(Date.parse('2026-03-29T22:00:00Z'));
    expect(readInstant('2026-03-02T10:00:00+09:00', 'UTC')).toBe(Date.parse('2026-03-02T01:00:00Z'));
    expect(readInstant('2026-02-30', 'UTC')).toBeNull();
    expect(readInstant('next week', 'UTC')).toBeNull();
  });

  it('starts weeks on Monday', () => {
    // Sunday 1 March 2026 belongs to the week of Monday 23 February; Monday 2 March starts its own.
    expect(dayLabel(weekStart(Date.parse('2026-03-01') / 86_400_000))).toBe('2026-02-23');
    expect(dayLabel(weekStart(Date.parse('2026-03-02') / 86_400_000))).toBe('2026-03-02');
    expect(dayLabel(weekStart(Date.parse('2026-03-08') / 86_400_000))).toBe('2026-03-02');
  });

  it('knows IANA names and gives their canonical spelling', () => {
    expect(canonicalTimeZone('asia/tokyo')).toBe('Asia/Tokyo');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    expect(canonicalTimeZone('Mars/Olympus_Mons')).toBeNull();
    expect(canonicalTimeZone('')).toBeNull();
    expect(localDate('America/New_York', Date.parse('2026-03-02T03:00:00Z'))).toBe('2026-03-01');
  });

  it('reads report keys through the attribute type', () => {
    expect(attributeKeys('"34"', 'number', 'UTC')).toEqual([34]);
    expect(attributeKeys('"thirty"', 'number', 'UTC')).toEqual([null]);
    expect(attributeKeys('["a","b","a"]', 'list', 'UTC')).toEqual(['a', 'b']);
    expect(attributeKeys('[]', 'list', 'UTC')).toEqual([null]);
    expect(attributeKeys('"2026-03-01T20:00:00Z"', 'datetime', 'Asia/Tokyo')).toEqual(['2026-03-02']);
    expect(attributeKeys('"yes"', 'boolean', 'UTC')).toEqual([true]);
    expect(attributeKeys(null, 'string', 'UTC')).toEqual([null]);
    expect(attributeKeys('"gold"', null, 'UTC')).toEqual([null]);
  });
});

describe('crawler user agents', () => {
  it.each([
    'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
    'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36',
    'curl/8.5.0',
    'python-requests/2.31.0',
    'DuckDuckBot-Https/1.1; (+https://duckduckgo.com/duckduckbot)',
  ])('%s is a bot device', (agent) => {
    expect(isCrawlerUserAgent(agent)).toBe(true);
    expect(parseUserAgent(agent).deviceType).toBe('bot');
  });

  it.each([
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
    'Mozilla/5.0 (Linux; Android 9; CUBOT X19) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  ])('%s is a person', (agent) => {
    expect(isCrawlerUserAgent(agent)).toBe(false);
    expect(parseUserAgent(agent).deviceType).not.toBe('bot');
  });
});
