import type { ErrorCode } from '../errors/error-codes.js';

/** Adjustments that let a message through changed; returned to the sender as `warnings`. */
export const WARNING_CODES = {
  TIMESTAMP_CLAMPED: 'The timestamp was in the future and was set to the time the message was received.',
  ILLEGAL_ANONYMOUS_ID: 'The anonymousId is illegal and was ignored; the message was kept under its userId.',
  ILLEGAL_USER_ID_IGNORED:
    'The userId is illegal and was ignored; the message was kept under its anonymousId.',
  UNVERIFIED_USER_ID_IGNORED:
    'Identity verification is on and the message has no valid userHash; its userId was ignored.',
  UNVERIFIED_TRAITS_IGNORED:
    "Identity verification is on and the message proves no user id, but its anonymousId is a device of an identified person: its traits were not applied to that person (its event is kept as the device's).",
  UNKNOWN_FIELD: 'A field Acquaint does not know was ignored.',
  ATTRIBUTE_SKIPPED: 'An attribute could not be stored (its name or value is not allowed); the others were.',
  DUPLICATE_MESSAGE_ID: 'A message with this messageId was already received; it was not applied again.',
  IDENTIFIED_ON_ANOTHER_USER:
    'The anonymous id already belongs to another identified user (a shared device or no logout); the two users were not merged.',
  DEVICE_CAP_REACHED:
    'The person already holds the maximum number of anonymous ids; this device was not linked.',
  ALIAS_OF_ANOTHER_USER:
    "An alias's previousId is the user id of another identified person; two identified persons are never merged, so nothing was linked.",
} as const;

export type WarningCode = keyof typeof WARNING_CODES;

/** A refused or adjusted message, as the tracking API reports it. */
export interface MessageIssue {
  index: number;
  messageId: string | null;
  code: ErrorCode | WarningCode;
  message: string;
}
