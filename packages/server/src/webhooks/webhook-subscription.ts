import { randomBytes } from 'node:crypto';
import { checkWebhookUrl } from './check-webhook-url.js';
import type { WebhookEventType } from './webhook-events.js';

/** What a subscription is, once checked. */
export interface SubscriptionSettings {
  url: string;
  events: WebhookEventType[];
  /** Group events only for these groups; null for every group. */
  groupIds: string[] | null;
  /** Attributes sent with each event, and watched by `user.attributes_changed`. */
  attributes: string[];
}

/** The fields of a create (all) or a change (any) request. */
export interface SubscriptionInput {
  url?: string;
  events?: WebhookEventType[];
  group_ids?: string[] | null;
  attributes?: string[];
}

export type SubscriptionCheck =
  | { ok: true; settings: SubscriptionSettings }
  | { ok: false; code: 'WEBHOOK_URL_REFUSED' | 'INVALID_BODY'; message: string; pointer: string };

export interface SubscriptionCheckOptions {
  allowPrivate: boolean;
  /** The ids among these that name no group of the project. */
  unknownGroups(ids: string[]): Promise<string[]>;
}

/**
 * Checks a new subscription, or a change to `current`: the URL may receive webhooks
 * (check-webhook-url.ts), every group exists, and `user.attributes_changed` names attributes to
 * watch. A refusal points at the field at fault.
 */
export async function checkSubscription(
  input: SubscriptionInput,
  current: SubscriptionSettings | null,
  options: SubscriptionCheckOptions,
): Promise<SubscriptionCheck> {
  const settings: SubscriptionSettings = {
    url: input.url ?? current?.url ?? '',
    events: input.events ?? current?.events ?? [],
    groupIds: input.group_ids === undefined ? (current?.groupIds ?? null) : input.group_ids,
    attributes: input.attributes ?? current?.attributes ?? [],
  };
  if (input.url !== undefined) {
    const url = await checkWebhookUrl(input.url, options.allowPrivate);
    if (!url.ok) return { ok: false, code: 'WEBHOOK_URL_REFUSED', message: url.message, pointer: '/url' };
    settings.url = url.url;
  }
  if (input.group_ids) {
    const unknown = await options.unknownGroups(input.group_ids);
    if (unknown.length > 0) {
      const index = input.group_ids.indexOf(unknown[0]);
      return {
        ok: false,
        code: 'INVALID_BODY',
        message: `no group "${unknown[0]}" in this project`,
        pointer: `/group_ids/${index}`,
      };
    }
  }
  if (settings.events.includes('user.attributes_changed') && settings.attributes.length === 0) {
    return {
      ok: false,
      code: 'INVALID_BODY',
      message: 'user.attributes_changed needs "attributes": the names of the attributes to watch',
      pointer: '/attributes',
    };
  }
  return { ok: true, settings };
}

/** A new signing secret: `whsec_` and 32 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}
