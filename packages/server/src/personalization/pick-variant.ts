import * as crypto from 'node:crypto';
import { CONTROL, type Experience } from './experience.js';

/**
 * SHA-256 of a text: the one-shot `crypto.hash` where Node has it (20.12+; about half the CPU of a
 * Hash object, and decide hashes once per experience shown to a new visitor), else a Hash object.
 */
const sha256: (text: string) => Buffer =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'buffer')
    : (text) => crypto.createHash('sha256').update(text).digest();

/**
 * The variant a visitor falls into the first time, before any assignment is recorded.
 *
 * strategy: hash the experience id with the visitor's anonymous id to a point in [0, 100): the
 * first `control_weight` percent is the control, the rest is shared by the variants in proportion
 * to their weights (which add up to 100). The same browser lands on the same point on every
 * request, so an unknown visitor keeps its variant until decide can record it for its person.
 */
export function pickVariant(experience: Experience, bucketKey: string): string {
  const digest = sha256(`${experience.id}\u0000${bucketKey}`);
  const point = (digest.readUInt32BE(0) / 2 ** 32) * 100;
  if (point < experience.control_weight) return CONTROL;
  const share = (point - experience.control_weight) / (100 - experience.control_weight);
  let cumulative = 0;
  for (const variant of experience.variants) {
    cumulative += variant.weight / 100;
    if (share < cumulative) return variant.name;
  }
  return experience.variants[experience.variants.length - 1].name;
}
