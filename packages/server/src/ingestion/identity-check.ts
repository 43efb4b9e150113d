import { isValidUserHash } from '../projects/keys.js';

/**
 * Whether message `index` of a request proves its `userId` (DESIGN §3 rule 10). Null when the
 * project does not verify identities.
 */
export type IdentityCheck = (index: number, userId: string, userHash: unknown) => boolean;

/** The live check: the userHash against the project's identity secret. */
export function checkWithSecret(secret: string): IdentityCheck {
  return (_index, userId, userHash) => isValidUserHash(secret, userId, userHash);
}

/**
 * A check that also notes the indexes it verified, so that the ingestion log can keep the
 * outcomes the client was answered with instead of the secret (`replayIdentityCheck`).
 */
export function recordingIdentityCheck(check: IdentityCheck): {
  check: IdentityCheck;
  verified: Set<number>;
} {
  const verified = new Set<number>();
  return {
    verified,
    check: (index, userId, userHash) => {
      const ok = check(index, userId, userHash);
      if (ok) verified.add(index);
      return ok;
    },
  };
}

/** The check of a logged request: the outcomes noted when it was answered. */
export function replayIdentityCheck(verified: readonly number[]): IdentityCheck {
  const set = new Set(verified);
  return (index) => set.has(index);
}
