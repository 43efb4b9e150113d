import { readFileSync } from 'node:fs';

/**
 * CPU time (user + system) a process has used so far, in ms, from /proc (Linux, clock ticks of
 * 10 ms); null where there is no such file. CPU time per unit of work is the figure that does not
 * depend on the machine's load.
 */
export function processCpuMs(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** The run of median wall time among `runs` runs after one warm-up, with the CPU ms this process spent in it. */
export async function medianRun(
  runs: number,
  run: () => Promise<unknown>,
): Promise<{ wall: number; cpu: number }> {
  await run();
  const times: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    await run();
    const used = process.cpuUsage(cpu);
    times.push({ wall: performance.now() - started, cpu: (used.user + used.system) / 1000 });
  }
  return times.sort((a, b) => a.wall - b.wall)[Math.floor(runs / 2)];
}

/** Prints a Markdown table after an empty line: the header row, the rule under it, the rows (`| a | b |`). */
export function printTable(header: string, rows: string[]): void {
  console.log(`\n${header}`);
  console.log(`|${'---|'.repeat(header.split('|').length - 2)}`);
  for (const row of rows) console.log(row);
}
