import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** The whole SDK must stay within 8 KB gzipped, the personalisation renderer to come included. */
export const SIZE_BUDGET_GZIP_BYTES = 8192;

export const BUNDLE_PATH = `${packageDir}dist/acquaint.js`;
export const README_PATH = `${packageDir}README.md`;

/** Bytes of a built bundle as served, and gzipped at the highest level. */
export function sizeReport(path = BUNDLE_PATH): { raw: number; gzip: number } {
  const bundle = readFileSync(path);
  return { raw: bundle.length, gzip: gzipSync(bundle, { level: 9 }).length };
}

/** The README's size line, e.g. `**Size:** 9,900 bytes, 4,300 bytes gzipped (budget: 8,192 gzipped).` */
export function sizeLine({ raw, gzip }: { raw: number; gzip: number }): string {
  const bytes = (n: number) => n.toLocaleString('en-US');
  return `**Size:** ${bytes(raw)} bytes, ${bytes(gzip)} bytes gzipped (budget: ${bytes(SIZE_BUDGET_GZIP_BYTES)} gzipped).`;
}

// `npm run size -w packages/sdk` prints the size of dist/; `-- --write` also updates the README's size line.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const report = sizeReport();
  console.log(`dist/acquaint.js: ${report.raw} bytes raw, ${report.gzip} bytes gzip`);
  if (process.argv.includes('--write')) {
    const readme = readFileSync(README_PATH, 'utf8');
    writeFileSync(README_PATH, readme.replace(/^\*\*Size:\*\*.*$/m, sizeLine(report)));
  }
}
