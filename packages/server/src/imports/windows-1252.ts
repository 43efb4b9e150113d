/**
 * Characters of bytes 0x80–0x9F in Windows-1252 (0 where the code page defines none). Node's
 * `TextDecoder('windows-1252')` reads these bytes as Latin-1 control characters, so € would be
 * lost: this table is the code page's own.
 */
const HIGH_CONTROLS = [
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0,
  0x017d, 0, 0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a,
  0x0153, 0, 0x017e, 0x0178,
];

/** Bytes decoded at a time (String.fromCharCode takes its arguments on the stack). */
const SLICE = 8192;

/**
 * Decodes Windows-1252. The five bytes the code page leaves undefined (0x81, 0x8D, 0x8F, 0x90,
 * 0x9D) are an error when `fatal`, else U+FFFD: no Western text has them, while Shift_JIS text
 * does, which also helps tell the two apart.
 */
export function decodeWindows1252(bytes: Uint8Array, fatal: boolean): string {
  const codes = new Uint16Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[i];
    if (byte < 0x80 || byte > 0x9f) {
      codes[i] = byte;
      continue;
    }
    const code = HIGH_CONTROLS[byte - 0x80];
    if (code === 0 && fatal)
      throw new TypeError(`byte 0x${byte.toString(16)} is not defined in windows-1252`);
    codes[i] = code === 0 ? 0xfffd : code;
  }
  let text = '';
  for (let i = 0; i < codes.length; i += SLICE) {
    text += String.fromCharCode(...codes.subarray(i, i + SLICE));
  }
  return text;
}
