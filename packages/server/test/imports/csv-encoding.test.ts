import { afterEach, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';

/** Windows-1252 bytes of a text (the characters used here are all in that code page). */
const cp1252 = (text: string) =>
  Buffer.from(
    Array.from(text, (char) => {
      const special: Record<string, number> = { '€': 0x80, '’': 0x92 };
      return special[char] ?? (char.codePointAt(0) as number);
    }),
  );
/** Shift_JIS bytes of 東京 (Tokyo), テスト (test) and 佐藤 (Sato). */
const SJIS = {
  東京: Buffer.from([0x93, 0x8c, 0x8b, 0x9e]),
  テスト: Buffer.from([0x83, 0x65, 0x83, 0x58, 0x83, 0x67]),
  佐藤: Buffer.from([0x8d, 0xb2, 0x93, 0xa1]),
};
/** ASCII rows of filler users, more than `bytes` long in all. */
const asciiRows = (bytes: number) => {
  const rows: string[] = [];
  let length = 0;
  for (let i = 0; length < bytes; i += 1) {
    const row = `filler-${i},plain ascii value ${i}\n`;
    rows.push(row);
    length += row.length;
  }
  return { text: rows.join(''), count: rows.length };
};

describeEachBackend('CSV import encodings', (backend) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const auth = () => ({ authorization: `Bearer ${server!.apiKey}` });
  const importCsv = (body: Buffer, query = '') =>
    server!.app.inject({
      method: 'POST',
      url: `/api/imports${query}`,
      headers: { ...auth(), 'content-type': 'text/csv' },
      payload: body,
    });
  const attributesOf = async (userId: string) =>
    (await server!.app.inject({ method: 'GET', url: `/api/users/${userId}`, headers: auth() })).json()
      .attributes;

  it(`${backend}: detects Windows-1252 (é, ü, €) instead of reading it as Shift_JIS`, async () => {
    server = await startTestServer({ backend, listen: false });
    const file = cp1252('user_id,name,city,price\nw-1,Müller,Zürich,5 €\nw-2,Renée,Besançon,’tis 3€\n');
    const job = (await importCsv(file)).json();
    expect(job).toMatchObject({ status: 'completed', encoding: 'windows-1252', counts: { failed: 0 } });
    expect(await attributesOf('w-1')).toMatchObject({ name: 'Müller', city: 'Zürich', price: '5 €' });
    expect(await attributesOf('w-2')).toMatchObject({ name: 'Renée', city: 'Besançon', price: '’tis 3€' });
  });

  it(`${backend}: detects Shift_JIS with kana and kanji`, async () => {
    server = await startTestServer({ backend, listen: false });
    const file = Buffer.concat([
      Buffer.from('user_id,city,note,name\r\nj-1,'),
      SJIS.東京,
      Buffer.from(','),
      SJIS.テスト,
      Buffer.from(','),
      SJIS.佐藤,
      Buffer.from('\r\n'),
    ]);
    const job = (await importCsv(file)).json();
    expect(job).toMatchObject({ status: 'completed', encoding: 'shift_jis', counts: { failed: 0 } });
    expect(await attributesOf('j-1')).toMatchObject({ city: '東京', note: 'テスト', name: '佐藤' });
  });

  it(`${backend}: checks UTF-8 over the whole file, past the first 64 KiB and past 1 MiB`, async () => {
    server = await startTestServer({ backend, listen: false });
    const filler = asciiRows(70 * 1024);
    const late = Buffer.from(`user_id,name\n${filler.text}late-1,Zoë Ŝ 東京\n`);
    const job = (await importCsv(late)).json();
    expect(job).toMatchObject({ status: 'completed', encoding: 'utf-8', counts: { failed: 0 } });
    expect(await attributesOf('late-1')).toMatchObject({ name: 'Zoë Ŝ 東京' });

    // UTF-8 is checked to the end: a Windows-1252 row past the bytes looked at is refused by row.
    const far = asciiRows(1100 * 1024);
    const badRow = far.count + 3;
    const file = Buffer.concat([
      Buffer.from(`user_id,name\nfar-0,Zoë\n${far.text}`),
      cp1252('far-1,Müller\n'),
      Buffer.from('far-2,fine\n'),
    ]);
    const answer = (await importCsv(file)).json();
    expect(answer).toMatchObject({
      status: 'completed',
      encoding: 'utf-8',
      counts: { received: far.count + 3, failed: 1 },
      errors: [{ row: badRow, code: 'INVALID_ENCODING' }],
    });
    expect(answer.errors[0].message).toContain(`row ${badRow}`);
    expect(answer.errors[0].message).toContain('utf-8');
    expect(answer.errors[0].message).toContain('`encoding`');
    expect(
      (await server.app.inject({ method: 'GET', url: '/api/users/far-1', headers: auth() })).statusCode,
    ).toBe(404);
    expect(await attributesOf('far-2')).toMatchObject({ name: 'fine' });
  });

  it(`${backend}: refuses, by row, the rows of a mixed file that are in another encoding`, async () => {
    server = await startTestServer({ backend, listen: false });
    // UTF-8 first, then one row saved as Windows-1252.
    const utf8First = Buffer.concat([
      Buffer.from('user_id,name\nm-1,Renée\n'),
      cp1252('m-2,Müller\n'),
      Buffer.from('m-3,Zoë\n'),
    ]);
    const first = (await importCsv(utf8First)).json();
    expect(first).toMatchObject({
      status: 'completed',
      encoding: 'utf-8',
      counts: { received: 3, failed: 1 },
      errors: [{ row: 3, code: 'INVALID_ENCODING' }],
    });
    expect(await attributesOf('m-3')).toMatchObject({ name: 'Zoë' });

    // Windows-1252 first, then one row in UTF-8: read as Windows-1252 it would become "ZoÃ«".
    const cp1252First = Buffer.concat([
      cp1252('user_id,name\nn-1,Renée\nn-2,Müller\n'),
      Buffer.from('n-3,Zoë\n'),
      cp1252('n-4,Françoise\n'),
    ]);
    const second = (await importCsv(cp1252First)).json();
    expect(second).toMatchObject({
      status: 'completed',
      encoding: 'windows-1252',
      counts: { received: 4, failed: 1 },
      errors: [{ row: 4, code: 'INVALID_ENCODING' }],
    });
    expect(second.errors[0].message).toContain('windows-1252');
    expect(await attributesOf('n-4')).toMatchObject({ name: 'Françoise' });
    expect(
      (await server.app.inject({ method: 'GET', url: '/api/users/n-3', headers: auth() })).statusCode,
    ).toBe(404);
  });

  it(`${backend}: an encoding named by query, JSON job or multipart field overrides detection`, async () => {
    server = await startTestServer({ backend, listen: false });
    // These bytes read as Shift_JIS 東京 and are detected so; named as Windows-1252 they read "“Œ‹ž".
    const file = Buffer.concat([Buffer.from('user_id,name\no-1,'), SJIS.東京, Buffer.from('\n')]);
    expect((await importCsv(file)).json()).toMatchObject({ encoding: 'shift_jis' });
    const named = (await importCsv(file, '?encoding=cp1252')).json();
    expect(named).toMatchObject({ status: 'completed', encoding: 'windows-1252' });
    expect(await attributesOf('o-1')).toMatchObject({ name: '“Œ‹ž' });

    const created = await server.app.inject({
      method: 'POST',
      url: '/api/imports',
      headers: auth(),
      payload: { file_name: 'later.csv', encoding: 'windows-1252' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ encoding: 'windows-1252' });
    const sent = await server.app.inject({
      method: 'PUT',
      url: `/api/imports/${created.json().id}/file`,
      headers: { ...auth(), 'content-type': 'text/csv' },
      payload: cp1252('user_id,name\no-2,Müller\n'),
    });
    expect(sent.json()).toMatchObject({ status: 'completed', encoding: 'windows-1252' });
    expect(await attributesOf('o-2')).toMatchObject({ name: 'Müller' });

    const boundary = 'acquaint-encoding-boundary';
    const multipart = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="encoding"\r\n\r\nshift_jis\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="sjis.csv"\r\nContent-Type: text/csv\r\n\r\nuser_id,name\no-3,`,
      ),
      SJIS.佐藤,
      Buffer.from(`\n\r\n--${boundary}--\r\n`),
    ]);
    const uploaded = await server.app.inject({
      method: 'POST',
      url: '/api/imports?encoding=windows-1252',
      headers: { ...auth(), 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: multipart,
    });
    expect(uploaded.json()).toMatchObject({ status: 'completed', encoding: 'shift_jis' });
    expect(await attributesOf('o-3')).toMatchObject({ name: '佐藤' });

    const unknown = await server.app.inject({
      method: 'POST',
      url: '/api/imports',
      headers: auth(),
      payload: { encoding: 'ebcdic' },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toMatchObject({ code: 'UNKNOWN_ENCODING', pointer: '/encoding' });
  });
});
