import { afterAll, beforeAll, expect, it } from 'vitest';
import { csvLine } from '../../src/imports/csv-line.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';

/** Issue 11, defects 5, 7 and 9: bad import options and offsets, job sizes, the formula guard. */
describeEachBackend('import options and paging input', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend, listen: false });
  });
  afterAll(() => server.close());

  const createJob = (body: unknown) =>
    server.app.inject({
      method: 'POST',
      url: '/api/imports',
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });

  it(`${backend}: JSON job options of the wrong type are 400 naming the field, never 500`, async () => {
    const cases: [unknown, string][] = [
      [{ size_bytes: { a: 1 } }, '/size_bytes'],
      [{ size_bytes: -1 }, '/size_bytes'],
      [{ file_name: { a: 1 } }, '/file_name'],
      [{ file_name: 'x'.repeat(300) }, '/file_name'],
      [{ encoding: ['utf-8'] }, '/encoding'],
      [{ dry_run: 'yes' }, '/dry_run'],
    ];
    for (const [body, pointer] of cases) {
      const response = await createJob(body);
      expect([body, response.statusCode, response.json().error]).toEqual([
        body,
        400,
        { code: 'INVALID_BODY', message: expect.any(String), pointer },
      ]);
    }
  });

  it(`${backend}: a job announced with JSON has the file size it was given, not the JSON's length`, async () => {
    const unsized = await createJob({ file_name: 'members.csv' });
    expect(unsized.statusCode).toBe(201);
    expect(unsized.json().progress.size_bytes).toBeNull();
    const sized = await createJob({ file_name: 'members.csv', size_bytes: 5000 });
    expect(sized.json().progress.size_bytes).toBe(5000);
  });

  it(`${backend}: an offset past any row count is 400, not 500`, async () => {
    for (const url of ['/api/users', '/api/users/user-42/events', '/api/imports']) {
      const response = await server.app.inject({
        url: `${url}?offset=1e19`,
        headers: { authorization: `Bearer ${server.apiKey}` },
      });
      expect([url, response.statusCode, response.json().error.code]).toEqual([url, 400, 'INVALID_BODY']);
    }
  });
});

it('error reports guard cells a spreadsheet would run, also behind a tab or carriage return', () => {
  expect(csvLine(['=1+1', '\t=cmd|calc', '\r=cmd', '-2', 'plain'])).toBe(
    `'=1+1,'\t=cmd|calc,"'\r=cmd",'-2,plain\r\n`,
  );
});
