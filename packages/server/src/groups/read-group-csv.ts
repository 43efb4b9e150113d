import { illegalIdReason } from '../identity/illegal-ids.js';
import { readCsvRecords } from '../imports/read-csv-records.js';
import { type Checked, MAX_GROUP_USER_IDS, refuse } from './group-input.js';

/**
 * The user ids of a static group sent as CSV: the first column of each row (trimmed, as
 * spreadsheets pad cells), blank rows skipped, duplicates dropped. A first row whose first cell is
 * not a usable id (`user_id`, `email`, `id`...) is a header. Any other illegal id refuses the file,
 * naming its row, so a group is never made from half a file.
 */
export async function readGroupCsv(
  input: AsyncIterable<Uint8Array>,
  options: { encoding?: string; delimiter?: string } = {},
): Promise<Checked<string[]>> {
  const userIds = new Set<string>();
  let row = 0;
  for await (const event of readCsvRecords(input, options)) {
    if (event.kind === 'problem') return refuse(event.code, event.message);
    if (event.kind !== 'records') continue;
    for (const record of event.records) {
      row += 1;
      const id = (record[0] ?? '').trim();
      if (id === '') continue;
      const reason = illegalIdReason(id);
      if (reason !== null) {
        if (row === 1) continue;
        return refuse('ILLEGAL_USER_ID', `row ${row}: the user id ${reason}`);
      }
      userIds.add(id);
      if (userIds.size > MAX_GROUP_USER_IDS) {
        return refuse('TOO_MANY_USER_IDS', `the file holds more than ${MAX_GROUP_USER_IDS} user ids`);
      }
    }
  }
  if (row === 0)
    return refuse('EMPTY_FILE', 'the file is empty: send one user id a row, in the first column');
  return { ok: true, value: [...userIds] };
}
