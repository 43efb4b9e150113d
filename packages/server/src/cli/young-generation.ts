import { spawn } from 'node:child_process';

/**
 * MB of each of V8's two semi-spaces (the young generation) that `acquaint start` runs with;
 * V8's own default on 64-bit is 16. ACQUAINT_SEMI_SPACE_MB overrides it; `0` keeps V8's default.
 */
export const DEFAULT_SEMI_SPACE_MB = 64;

const FLAG = '--max-semi-space-size';

/**
 * The node flag `acquaint start` should run with, or null when it already runs as wanted: the
 * flag is on its command line or in NODE_OPTIONS (the operator's choice wins), or
 * ACQUAINT_SEMI_SPACE_MB is `0`.
 */
export function semiSpaceFlag(env: NodeJS.ProcessEnv, execArgv: readonly string[]): string | null {
  if (execArgv.some((arg) => arg.startsWith(FLAG)) || (env.NODE_OPTIONS ?? '').includes(FLAG)) return null;
  const raw = env.ACQUAINT_SEMI_SPACE_MB?.trim() || String(DEFAULT_SEMI_SPACE_MB);
  const mb = Number(raw);
  if (!Number.isInteger(mb) || mb < 0) throw new Error(`ACQUAINT_SEMI_SPACE_MB must be a whole number of MB, not "${raw}"`);
  return mb === 0 ? null : `${FLAG}=${mb}`;
}

/**
 * Runs this same command again in a child node with `flag` and resolves with the child's exit
 * code. V8 sizes its heap when the process starts (`v8.setFlagsFromString` is too late for the
 * young generation), so a flag missing from the command line needs a new process.
 * strategy: the child gets this process's stdio and node flags; SIGTERM, SIGINT and SIGHUP
 * received here are passed on once (the child is in its own process group, so a terminal's
 * Ctrl-C is not delivered twice); should this process die without passing anything on (SIGKILL),
 * the child sees its IPC channel close and kills itself, so it never outlives its parent.
 */
export function respawnWithFlag(flag: string): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, flag, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of signals) process.on(signal, forward);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      for (const s of signals) process.off(s, forward);
      resolve(code ?? (signal === 'SIGKILL' ? 137 : 1));
    });
  });
}

/** In a respawned child: die with the parent (its IPC channel closes), without being kept alive by it. */
export function followParent(): void {
  if (!process.channel) return;
  process.channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGKILL'));
}
