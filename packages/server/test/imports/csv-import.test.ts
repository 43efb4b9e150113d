import { afterEach, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';

describeEachBackend('CSV import', (backend) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const auth = () => ({ authorization: `Bearer ${server!.apiKey}` });
  const importCsv = (body: string | Buffer, query = '') =>
    server!.app.inject({
      method: 'POST',
      url: `/api/imports${query}`,
      headers: { ...auth(), 'content-type': 'text/csv' },
      payload: body,
    });
  const get = (url: string) => server!.app.inject({ method: 'GET', url, headers: auth() });
  const attributesOf = async (userId: string) => (await get(`/api/users/${userId}`)).json().attributes;

  it(`${backend}: imports a file, infers types of new columns and reports the job`, async () => {
    server = await startTestServer({ backend, listen: false });
    const csv = [
      'email,membership_level,total_purchase,joined,newsletter,phone',
      'ann@example.com,gold,5000,2024/01/05,yes,09012345678',
      'bob@example.com,silver,3000.5,2023-11-30,no,08055554444',
      '',
    ].join('\r\n');
    const response = await importCsv(csv, '?file_name=members.csv');
    expect(response.statusCode, response.body).toBe(200);
    const job = response.json();
    expect(job).toMatchObject({
      status: 'completed',
      file_name: 'members.csv',
      encoding: 'utf-8',
      delimiter: 'comma',
      columns: ['email', 'membership_level', 'total_purchase', 'joined', 'newsletter', 'phone'],
      progress: { rows: 2, percent: 100 },
      counts: { received: 2, created: 2, updated: 0, failed: 0 },
      errors: [],
    });
    expect(await attributesOf('ann@example.com')).toMatchObject({
      membership_level: 'gold',
      total_purchase: 5000,
      joined: '2024-01-05T00:00:00.000Z',
      newsletter: true,
      phone: '09012345678',
    });
    const attributes = (await get('/api/attributes')).json().attributes as { name: string; type: string }[];
    const typeOf = (name: string) => attributes.find((a) => a.name === name)?.type;
    expect([typeOf('total_purchase'), typeOf('joined'), typeOf('newsletter'), typeOf('phone')]).toEqual([
      'number',
      'datetime',
      'boolean',
      'string',
    ]);
    const history = (await get('/api/imports')).json().imports;
    expect(history).toMatchObject([{ id: job.id, status: 'completed' }]);
    const users = (await get(`/api/imports/${job.id}/users`)).json();
    expect(users.user_ids).toEqual(['ann@example.com', 'bob@example.com']);
  });

  it(`${backend}: reports bad rows with their row number and writes the rest; errors download as CSV`, async () => {
    server = await startTestServer({ backend, listen: false });
    await server.app.inject({
      method: 'PUT',
      url: '/api/attributes/age',
      headers: auth(),
      payload: { type: 'number' },
    });
    const csv = [
      'user_id,age,plan',
      'user-1,30,gold',
      'user-2,31',
      ',32,silver',
      'null,33,silver',
      'user-3,unknown,silver',
      'user-1,35,diamond',
      'user-4,"36",bronze,extra',
    ].join('\n');
    const job = (await importCsv(csv)).json();
    expect(job.counts).toMatchObject({ received: 7, created: 1, updated: 1, failed: 5, duplicates: 1 });
    expect(job.errors.map((e: { row: number; code: string }) => `${e.row}:${e.code}`)).toEqual([
      '3:RAGGED_ROW',
      '4:ILLEGAL_USER_ID',
      '5:ILLEGAL_USER_ID',
      '6:VALUE_TYPE_MISMATCH',
      '7:DUPLICATE_USER_ID',
      '8:RAGGED_ROW',
    ]);
    expect(await attributesOf('user-1')).toMatchObject({ age: 35, plan: 'diamond' });
    const download = await get(`/api/imports/${job.id}/errors.csv`);
    expect(download.headers['content-type']).toMatch(/text\/csv/);
    const lines = download.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('row,user_id,field,code,message');
    expect(lines).toHaveLength(7);
    expect(lines[4]).toMatch(/^6,user-3,age,VALUE_TYPE_MISMATCH,/);
  });

  it(`${backend}: a dry run checks the file and writes nothing`, async () => {
    server = await startTestServer({ backend, listen: false });
    const job = (await importCsv('user_id,plan\nuser-1,gold\nguest,silver\n', '?dry_run=true')).json();
    expect(job).toMatchObject({
      dry_run: true,
      status: 'completed',
      counts: { received: 2, valid: 1, failed: 1 },
    });
    expect((await get('/api/users/user-1')).statusCode).toBe(404);
  });

  it(`${backend}: refuses files that cannot be imported, naming the problem`, async () => {
    server = await startTestServer({ backend, listen: false });
    const cases: [string | Buffer, string, RegExp][] = [
      [Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]), 'NOT_CSV', /Excel workbook/],
      [Buffer.from('user_id,plan\nu1,\u0000\u0001'), 'NOT_CSV', /binary/],
      ['', 'EMPTY_FILE', /no header row/],
      ['user_id,plan\r\n', 'NO_ROWS', /no data rows/],
      [',plan\nu1,gold\n', 'MISSING_ID_COLUMN', /row 1.*first column/],
      ['user_id,plan,plan\nu1,a,b\n', 'DUPLICATE_FIELD_NAME', /"plan" appears twice: column 2 .* column 3/],
      ['user_id,$plan\nu1,a\n', 'INVALID_ATTRIBUTE_NAME', /column 2.*\$/],
      [`user_id,${'x'.repeat(129)}\nu1,a\n`, 'INVALID_ATTRIBUTE_NAME', /128/],
      ['user_id,note\nu1,"never closed\n', 'UNTERMINATED_QUOTE', /never closed/],
    ];
    for (const [body, code, message] of cases) {
      const response = await importCsv(body);
      expect(response.statusCode, code).toBe(400);
      expect(response.json().error.code, String(body).slice(0, 30)).toBe(code);
      expect(response.json().error.message).toMatch(message);
      expect(response.json().job.status).toBe('failed');
    }
    const stats = (await get('/api/stats/identification')).json();
    expect(stats.persons).toBe(0);
  });

  it(`${backend}: takes Shift_JIS with semicolons, a multipart upload, and a job created before its file`, async () => {
    server = await startTestServer({ backend, listen: false });
    const sjis = Buffer.concat([
      Buffer.from('member;name\r\nm-1;'),
      Buffer.from([0x8d, 0xb2, 0x93, 0xa1]),
      Buffer.from('\r\n'),
    ]);
    const first = (await importCsv(sjis)).json();
    expect(first).toMatchObject({ status: 'completed', encoding: 'shift_jis', delimiter: 'semicolon' });
    expect(await attributesOf('m-1')).toMatchObject({ name: '佐藤' });

    const boundary = 'acquaint-test-boundary';
    const multipart = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="file"; filename="crm.csv"',
      'Content-Type: text/csv',
      '',
      'user_id\tplan\nm-2\tgold\n',
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const uploaded = await server.app.inject({
      method: 'POST',
      url: '/api/imports',
      headers: { ...auth(), 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: multipart,
    });
    expect(uploaded.json()).toMatchObject({ status: 'completed', file_name: 'crm.csv', delimiter: 'tab' });

    const created = await server.app.inject({
      method: 'POST',
      url: '/api/imports',
      headers: auth(),
      payload: { file_name: 'later.csv', size_bytes: 22 },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ status: 'pending', progress: { rows: 0, size_bytes: 22 } });
    const sent = await server.app.inject({
      method: 'PUT',
      url: `/api/imports/${created.json().id}/file`,
      headers: { ...auth(), 'content-type': 'text/csv' },
      payload: 'user_id,plan\nm-3,gold\n',
    });
    expect(sent.json()).toMatchObject({ status: 'completed', counts: { created: 1 } });
    const again = await server.app.inject({
      method: 'PUT',
      url: `/api/imports/${created.json().id}/file`,
      headers: { ...auth(), 'content-type': 'text/csv' },
      payload: 'user_id,plan\nm-3,gold\n',
    });
    expect(again.json().error.code).toBe('IMPORT_NOT_RESUMABLE');
  });

  it(`${backend}: declaring a type re-reads stored values and reports those that do not fit`, async () => {
    server = await startTestServer({ backend, listen: false });
    await importCsv('user_id,score\nuser-1,10\nuser-2,n/a\nuser-3,12\n');
    const declared = await server.app.inject({
      method: 'PUT',
      url: '/api/attributes/score',
      headers: auth(),
      payload: { type: 'number' },
    });
    expect(declared.json()).toMatchObject({ type: 'number', values: 3, misfits: 1 });
    const next = (await importCsv('user_id,score\nuser-4,many\n')).json();
    expect(next.errors).toMatchObject([{ row: 2, field: 'score', code: 'VALUE_TYPE_MISMATCH' }]);
  });
});
