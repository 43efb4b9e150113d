import { expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { boundHeapGrowth } from '../../src/imports/import-heap-growth.js';

it('bounds V8 heap growth while imports run, the tightest of overlapping ones, and gives it back after the last', () => {
  const flags: string[] = [];
  const set = (text: string) => flags.push(text);
  const first = boundHeapGrowth(50, set);
  const second = boundHeapGrowth(80, set);
  const third = boundHeapGrowth(30, set);
  expect(flags).toEqual(['--heap-growing-percent=50', '--heap-growing-percent=30']);
  first();
  first();
  second();
  expect(flags).toHaveLength(2);
  third();
  expect(flags.at(-1)).toBe('--heap-growing-percent=0');
  // 0 (ACQUAINT_IMPORT_HEAP_GROWING_PERCENT=0) leaves V8's own rule.
  boundHeapGrowth(0, set)();
  expect(flags).toHaveLength(3);
});

it('reads ACQUAINT_IMPORT_HEAP_GROWING_PERCENT, 0 included (V8 own rule), 50 by default', () => {
  expect(loadConfig({}, {}).importHeapGrowingPercent).toBe(50);
  expect(loadConfig({}, { ACQUAINT_IMPORT_HEAP_GROWING_PERCENT: '0' }).importHeapGrowingPercent).toBe(0);
  expect(loadConfig({}, { ACQUAINT_IMPORT_HEAP_GROWING_PERCENT: '80' }).importHeapGrowingPercent).toBe(80);
  expect(() => loadConfig({}, { ACQUAINT_IMPORT_HEAP_GROWING_PERCENT: '-1' })).toThrow(/positive/);
});
