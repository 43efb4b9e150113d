/** What a message tells about the device and the visit it came from (Segment `context`). */
export interface VisitContext {
  userAgent: string | null;
  screen: string | null;
  locale: string | null;
  url: string | null;
  referrer: string | null;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  /** A session id chosen by the client (the browser SDK sends one); otherwise the server derives it. */
  sessionId: string | null;
}

type Json = Record<string, unknown>;

const asText = (value: unknown, max = 2048): string | null =>
  typeof value === 'string' && value.length > 0 ? value.slice(0, max) : null;
const asObject = (value: unknown): Json =>
  typeof value === 'object' && value !== null ? (value as Json) : {};

/** Reads the visit context of a message: `context.page`, `context.campaign`, or a page call's properties. */
export function readVisitContext(context: Json, properties: Json): VisitContext {
  const page = asObject(context.page);
  const campaign = asObject(context.campaign);
  const screen = asObject(context.screen);
  const url = asText(page.url) ?? asText(properties.url);
  const fromUrl = utmFromUrl(url);
  return {
    userAgent: asText(context.userAgent, 1024),
    screen:
      typeof screen.width === 'number' && typeof screen.height === 'number'
        ? `${screen.width}x${screen.height}`
        : null,
    locale: asText(context.locale, 64),
    url,
    referrer: asText(page.referrer) ?? asText(properties.referrer),
    utmSource: asText(campaign.source, 256) ?? fromUrl?.get('utm_source') ?? null,
    utmMedium: asText(campaign.medium, 256) ?? fromUrl?.get('utm_medium') ?? null,
    utmCampaign: asText(campaign.name, 256) ?? fromUrl?.get('utm_campaign') ?? null,
    sessionId: asText(context.sessionId, 128),
  };
}

function utmFromUrl(url: string | null): URLSearchParams | null {
  if (!url?.includes('utm_')) return null;
  try {
    return new URL(url).searchParams;
  } catch {
    return null;
  }
}
