import { once } from 'node:events';
import { createWriteStream, existsSync, statSync } from 'node:fs';

const LEVELS = ['bronze', 'silver', 'gold', 'diamond'];

/**
 * Writes the benchmark file once: `rows` members × 6 columns (id, level, purchases, age, join
 * date as YYYY/MM/DD, newsletter yes/no), about 60 bytes a row. Kept between runs.
 */
export async function generateCsv(path: string, rows: number): Promise<number> {
  if (existsSync(path)) return statSync(path).size;
  const out = createWriteStream(path);
  out.write('user_id,membership_level,total_purchase,age,joined_at,newsletter\n');
  let batch = '';
  for (let i = 1; i <= rows; i++) {
    const month = String((i % 12) + 1).padStart(2, '0');
    const day = String((i % 28) + 1).padStart(2, '0');
    batch += `member-${String(i).padStart(7, '0')},${LEVELS[i % 4]},${(i * 37) % 100000},${18 + (i % 60)},20${10 + (i % 15)}/${month}/${day},${i % 3 === 0 ? 'yes' : 'no'}\n`;
    if (batch.length > 1 << 20) {
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
  }
  out.end(batch);
  await once(out, 'finish');
  return statSync(path).size;
}
