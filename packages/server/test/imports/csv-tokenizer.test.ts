import { describe, expect, it } from 'vitest';
import { detectDelimiter } from '../../src/imports/csv-dialect.js';
import { CsvTokenizer } from '../../src/imports/csv-tokenizer.js';
import { readCsvRecords } from '../../src/imports/read-csv-records.js';

/** Tokenizes `text` fed in pieces of `size` characters, so records split across pieces are covered. */
function tokenize(text: string, size: number, delimiter = ','): string[][] {
  const tokenizer = new CsvTokenizer(delimiter);
  const records: string[][] = [];
  for (let i = 0; i < text.length; i += size) {
    const out = tokenizer.push(text.slice(i, i + size));
    if (!Array.isArray(out)) throw new Error(out.message);
    records.push(...out);
  }
  const last = tokenizer.end();
  if (!Array.isArray(last)) throw new Error(last.message);
  return [...records, ...last];
}

describe('CSV tokenizer', () => {
  const text = 'id,note,city\r\nu1,"said ""hi""\r\nand left",Tokyo\r\nu2,,"Osaka, Japan"\nu3,plain,Kyoto';
  const expected = [
    ['id', 'note', 'city'],
    ['u1', 'said "hi"\r\nand left', 'Tokyo'],
    ['u2', '', 'Osaka, Japan'],
    ['u3', 'plain', 'Kyoto'],
  ];
  for (const size of [1, 2, 3, 7, 1000]) {
    it(`reads quotes, embedded newlines and CRLF in pieces of ${size}`, () => {
      expect(tokenize(text, size)).toEqual(expected);
    });
  }

  it('reports a quote that is never closed', () => {
    const tokenizer = new CsvTokenizer(',');
    tokenizer.push('id,note\nu1,"open');
    expect(tokenizer.end()).toMatchObject({ code: 'UNTERMINATED_QUOTE' });
  });

  it('detects comma, tab and semicolon from the header', () => {
    expect(detectDelimiter('user_id,plan,age')).toBe(',');
    expect(detectDelimiter('user_id\tplan\tage')).toBe('\t');
    expect(detectDelimiter('user_id;"plan, tier";age')).toBe(';');
    expect(detectDelimiter('user_id')).toBe(',');
  });
});

describe('reading CSV bytes', () => {
  const read = async (bytes: Buffer, options = {}) => {
    const events = [];
    for await (const event of readCsvRecords([bytes], options)) events.push(event);
    return events;
  };

  it('detects UTF-8 with a BOM and drops the BOM', async () => {
    const events = await read(Buffer.from('\uFEFFuser_id,plan\nu1,gold\n', 'utf8'));
    expect(events[0]).toMatchObject({ kind: 'dialect', encoding: 'utf-8', delimiter: ',' });
    expect(events[1]).toMatchObject({
      records: [
        ['user_id', 'plan'],
        ['u1', 'gold'],
      ],
    });
  });

  it('detects Shift_JIS (CP932) as Excel in Japan saves it', async () => {
    const sjis = Buffer.from([
      ...Buffer.from('user_id;name\nu1;'),
      0x93,
      0x63,
      0x92,
      0x86, // 田中
      0x0a,
    ]);
    const events = await read(sjis);
    expect(events[0]).toMatchObject({ encoding: 'shift_jis', delimiter: ';' });
    expect(events[1]).toMatchObject({
      records: [
        ['user_id', 'name'],
        ['u1', '田中'],
      ],
    });
  });

  it('refuses binary data and workbooks', async () => {
    expect((await read(Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2])))[0]).toMatchObject({
      kind: 'problem',
      code: 'NOT_CSV',
      message: expect.stringMatching(/Excel/),
    });
    expect((await read(Buffer.from([0x41, 0x00, 0x42])))[0]).toMatchObject({ code: 'NOT_CSV' });
  });
});
