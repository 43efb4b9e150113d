import { decodeWindows1252 } from './windows-1252.js';

/** Legacy (not UTF-8) encodings a spreadsheet saves CSV in, told apart by `scoreLegacyEncodings`. */
export type LegacyEncoding = 'shift_jis' | 'windows-1252';

/** Punctuation Windows-1252 text uses above ASCII (€, curly quotes, dashes, ellipsis, bullet, ...). */
const WESTERN_PUNCTUATION = new Set('€‘’“”–—…•°£¥§©®«»¡¿ºª·');

/**
 * Chooses Shift_JIS or Windows-1252 for bytes that are not UTF-8.
 * strategy: decode the bytes both ways (an encoding they are not valid in is out), then measure,
 * per byte above ASCII, how much of each reading looks like text of its languages: Japanese
 * kana, common (JIS level 1) kanji and full-width forms for Shift_JIS; accented Latin letters
 * next to other letters and Western punctuation for Windows-1252. Latin text read as Shift_JIS
 * gives rare kanji and user-defined characters; Japanese read as Windows-1252 gives `ƒ‚“` runs.
 * The higher share wins; a tie goes to Shift_JIS, the encoding the product was first built for.
 */
export function scoreLegacyEncodings(bytes: Uint8Array): LegacyEncoding {
  const high = countHighBytes(bytes);
  const japanese = strictDecode('shift_jis', bytes);
  const western = strictDecode('windows-1252', bytes);
  if (japanese === null) return 'windows-1252';
  if (western === null || high === 0) return 'shift_jis';
  return japaneseScore(japanese) >= westernScore(western) ? 'shift_jis' : 'windows-1252';
}

function strictDecode(encoding: LegacyEncoding, bytes: Uint8Array): string | null {
  try {
    if (encoding === 'windows-1252') return decodeWindows1252(bytes, true);
    // The sample may end inside a character: streaming leaves it out instead of failing.
    return new TextDecoder(encoding, { fatal: true }).decode(bytes, { stream: true });
  } catch {
    return null;
  }
}

function countHighBytes(bytes: Uint8Array): number {
  let count = 0;
  for (const byte of bytes) if (byte >= 0x80) count += 1;
  return count;
}

/** Share of the non-ASCII bytes that read as Japanese (a full-width character is two bytes). */
function japaneseScore(text: string): number {
  let plausible = 0;
  let high = 0;
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (code < 0x80) continue;
    if (code >= 0xff61 && code <= 0xff9f) {
      // Half-width katakana: one byte each, and the bytes of À–ß in Windows-1252, so half credit.
      high += 1;
      plausible += 0.5;
      continue;
    }
    high += 2;
    if (isCommonJapanese(code)) plausible += 2;
  }
  return high === 0 ? 0 : plausible / high;
}

function isCommonJapanese(code: number): boolean {
  if (code >= 0x3000 && code <= 0x30ff) return true; // punctuation, hiragana, katakana
  if (code >= 0xff01 && code <= 0xff5e) return true; // full-width ASCII
  if (code >= 0x4e00 && code <= 0x9fff) return jisLevel1(code);
  return false;
}

/** Kanji Shift_JIS codes with lead bytes 0x88–0x9F (JIS level 1, the common ones) are common. */
function jisLevel1(code: number): boolean {
  const bytes = shiftJisEncoder.get(code);
  return bytes !== undefined && bytes >= 0x88 && bytes <= 0x9f;
}

/** Lead byte of each kanji in Shift_JIS, built once by decoding every two-byte code. */
const shiftJisEncoder: Map<number, number> = (() => {
  const leads = new Map<number, number>();
  const decoder = new TextDecoder('shift_jis');
  for (let lead = 0x88; lead <= 0xea; lead += 1) {
    if (lead >= 0xa0 && lead < 0xe0) continue;
    for (let trail = 0x40; trail <= 0xfc; trail += 1) {
      if (trail === 0x7f) continue;
      const code = decoder.decode(Uint8Array.of(lead, trail)).codePointAt(0) as number;
      if (code >= 0x4e00 && code <= 0x9fff && !leads.has(code)) leads.set(code, lead);
    }
  }
  return leads;
})();

/** Share of the non-ASCII characters that read as Western text. */
function westernScore(text: string): number {
  const chars = Array.from(text);
  let plausible = 0;
  let high = 0;
  chars.forEach((char, i) => {
    const code = char.codePointAt(0) as number;
    if (code < 0x80) return;
    high += 1;
    if (WESTERN_PUNCTUATION.has(char)) plausible += 1;
    else if (isLatinLetter(code) && (isLetter(chars[i - 1]) || isLetter(chars[i + 1]))) plausible += 1;
  });
  return high === 0 ? 0 : plausible / high;
}

/** À–ÿ without × and ÷, and the letters Windows-1252 adds (Š, Œ, Ž, š, œ, ž, Ÿ). */
function isLatinLetter(code: number): boolean {
  if (code >= 0xc0 && code <= 0xff) return code !== 0xd7 && code !== 0xf7;
  return [0x160, 0x152, 0x17d, 0x161, 0x153, 0x17e, 0x178].includes(code);
}

function isLetter(char: string | undefined): boolean {
  if (char === undefined) return false;
  const code = char.codePointAt(0) as number;
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || isLatinLetter(code);
}
