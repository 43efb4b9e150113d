import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { signPayload } from '../../src/webhooks/sign-payload.js';

/** The code blocks of docs/webhooks.md in one language, as written there. */
function docsExample(language: string): string {
  const docs = readFileSync(join(import.meta.dirname, '../../../../docs/webhooks.md'), 'utf8');
  const match = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(docs);
  if (!match) throw new Error(`docs/webhooks.md has no ${language} example`);
  return match[1];
}

const SECRET = 'whsec_docs-example-secret';
const BODY = JSON.stringify({
  id: 'dlv_docs',
  type: 'user.attributes_changed',
  occurred_at: '2026-11-30T09:15:02.120Z',
  project_id: 'prj_docs',
  data: { user_id: 'member-1001', attributes: { city: 'Ōsaka', note: 'ünïcode ✓' } },
});

describe("docs/webhooks.md: the receivers' verification examples run as written", () => {
  const dir = mkdtempSync(join(tmpdir(), 'acquaint-docs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** What each example answers: a fresh signature, a tampered body, a wrong secret, a stale time. */
  const cases = () => {
    const now = Date.now();
    const header = signPayload(SECRET, BODY, now);
    return [
      { secret: SECRET, body: BODY, header, expected: true },
      { secret: SECRET, body: BODY.replace('1001', '1002'), header, expected: false },
      { secret: 'whsec_other', body: BODY, header, expected: false },
      { secret: SECRET, body: BODY, header: signPayload(SECRET, BODY, now - 10 * 60_000), expected: false },
      { secret: SECRET, body: BODY, header: 'nonsense', expected: false },
    ];
  };

  it('Node.js', async () => {
    const file = join(dir, 'verify.mjs');
    writeFileSync(file, docsExample('js'));
    const { verifyAcquaint } = (await import(pathToFileURL(file).href)) as {
      verifyAcquaint: (secret: string, rawBody: string, header: string) => boolean;
    };
    for (const c of cases()) expect(verifyAcquaint(c.secret, c.body, c.header)).toBe(c.expected);
  });

  it('Python', async () => {
    const file = join(dir, 'verify.py');
    const inputs = cases();
    // The raw body goes in as bytes (UTF-8), as a receiver reads it.
    writeFileSync(
      file,
      `${docsExample('python')}
import json, sys
for case in json.load(sys.stdin):
    print(verify_acquaint(case["secret"], case["body"].encode("utf-8"), case["header"]))
`,
    );
    const child = promisify(execFile)('python3', [file]);
    child.child.stdin?.end(JSON.stringify(inputs));
    const { stdout } = await child;
    expect(stdout.trim().split('\n')).toEqual(inputs.map((c) => (c.expected ? 'True' : 'False')));
  });
});
