import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSdk } from '../scripts/build.js';
import { README_PATH, SIZE_BUDGET_GZIP_BYTES, sizeLine, sizeReport } from '../scripts/size-report.js';

describe('sdk.js bundle', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'acquaint-sdk-'));
  let size: { raw: number; gzip: number };
  beforeAll(async () => {
    await buildSdk(outDir);
    size = sizeReport(join(outDir, 'acquaint.js'));
    console.log(
      `sdk.js: ${size.raw} bytes raw, ${size.gzip} bytes gzipped (budget ${SIZE_BUDGET_GZIP_BYTES})`,
    );
  });
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it(`stays within the budget of ${SIZE_BUDGET_GZIP_BYTES} bytes gzipped`, () => {
    expect(size.gzip).toBeLessThanOrEqual(SIZE_BUDGET_GZIP_BYTES);
  });

  it('is as large as the README says (`npm run size -w packages/sdk -- --write` updates it)', () => {
    const readme = readFileSync(README_PATH, 'utf8');
    const [, raw, gzip] = readme.match(/\*\*Size:\*\* ([\d,]+) bytes, ([\d,]+) bytes gzipped/) ?? [];
    const reported = { raw: Number(raw?.replace(/,/g, '')), gzip: Number(gzip?.replace(/,/g, '')) };
    expect(Math.abs(reported.gzip - size.gzip), `README should say: ${sizeLine(size)}`).toBeLessThanOrEqual(
      100,
    );
    expect(Math.abs(reported.raw - size.raw), `README should say: ${sizeLine(size)}`).toBeLessThanOrEqual(
      300,
    );
  });
});
