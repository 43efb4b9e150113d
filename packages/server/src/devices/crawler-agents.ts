/**
 * Markers of crawlers, link previewers, monitors and scripted HTTP clients, matched as plain
 * substrings of the lower-cased user agent (none holds a LIKE wildcard). Plain substrings, so that a migration can flag devices
 * seen before this list existed with the very same test (`lower(user_agent) like '%marker%'`).
 * `bot/` and `bot-` rather than `bot`: an Android phone brand (CUBOT) has `bot` in its model name.
 */
export const CRAWLER_MARKERS: readonly string[] = [
  'bot/',
  'bot-',
  'bot.html',
  '+http',
  'crawler',
  'crawling',
  'spider',
  'slurp',
  'facebookexternalhit',
  'headlesschrome',
  'lighthouse',
  'pingdom',
  'uptimerobot',
  'bingpreview',
  'mediapartners-google',
  'adsbot',
  'feedfetcher',
  'curl/',
  'wget/',
  'python-requests',
  'python-urllib',
  'go-http-client',
  'okhttp',
  'axios/',
  'node-fetch',
  'java/',
  'apache-httpclient',
  'phantomjs',
  'scrapy',
];

/** Whether a user agent is a known crawler or script: its device is left out of every report. */
export function isCrawlerUserAgent(userAgent: string): boolean {
  const agent = userAgent.toLowerCase();
  return CRAWLER_MARKERS.some((marker) => agent.includes(marker));
}
