import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SEMI_SPACE_MB, semiSpaceFlag } from '../../src/cli/young-generation.js';
import { type CliServer, startCliServer, stopCliServer } from '../support/cli-server.js';

/** The pids of a process's children (Linux /proc). */
function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text === '' ? [] : text.split(' ').map(Number);
}

function commandLine(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('semiSpaceFlag', () => {
  it('adds the default, honours ACQUAINT_SEMI_SPACE_MB, and leaves a flag the operator gave', () => {
    expect(semiSpaceFlag({}, [])).toBe(`--max-semi-space-size=${DEFAULT_SEMI_SPACE_MB}`);
    expect(semiSpaceFlag({ ACQUAINT_SEMI_SPACE_MB: '32' }, [])).toBe('--max-semi-space-size=32');
    expect(semiSpaceFlag({ ACQUAINT_SEMI_SPACE_MB: '0' }, [])).toBeNull();
    expect(semiSpaceFlag({}, ['--max-semi-space-size=8'])).toBeNull();
    expect(semiSpaceFlag({ NODE_OPTIONS: '--max-semi-space-size=8' }, [])).toBeNull();
    expect(() => semiSpaceFlag({ ACQUAINT_SEMI_SPACE_MB: 'big' }, [])).toThrow(/ACQUAINT_SEMI_SPACE_MB/);
  });
});

describe.runIf(process.platform === 'linux')('acquaint start and the young generation', () => {
  let dir = '';
  let server: CliServer | undefined;
  afterEach(async () => {
    await stopCliServer(server);
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves from a node with --max-semi-space-size, which exits with it on SIGTERM', async () => {
    dir = mkdtempSync(join(tmpdir(), 'acquaint-young-'));
    server = await startCliServer(['--data-dir', dir]);
    const pid = server.child.pid as number;
    const [child] = childrenOf(pid);
    expect(commandLine(child)).toContain(`--max-semi-space-size=${DEFAULT_SEMI_SPACE_MB}`);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => server?.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(server.output()).toContain('SIGTERM received');
    expect(alive(child)).toBe(false);
  });

  it('never outlives a parent killed with SIGKILL', async () => {
    dir = mkdtempSync(join(tmpdir(), 'acquaint-young-'));
    server = await startCliServer(['--data-dir', dir]);
    const [child] = childrenOf(server.child.pid as number);
    const exited = new Promise((resolve) => server?.child.once('exit', resolve));
    server.child.kill('SIGKILL');
    await exited;
    await expect.poll(() => alive(child), { timeout: 5_000 }).toBe(false);
  });

  it('with ACQUAINT_SEMI_SPACE_MB=0 serves from the process started, with no child', async () => {
    dir = mkdtempSync(join(tmpdir(), 'acquaint-young-'));
    server = await startCliServer(['--data-dir', dir], { ACQUAINT_SEMI_SPACE_MB: '0' });
    expect(childrenOf(server.child.pid as number)).toEqual([]);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});
