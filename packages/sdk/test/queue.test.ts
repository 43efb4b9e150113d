import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessageQueue } from '../src/queue.js';
import type { Message } from '../src/types.js';

const message = (messageId: string) => ({ type: 'track', messageId, event: 'viewed' }) as Message;
const ids = (queue: MessageQueue) => queue.all().map((m) => m.messageId);

class MemoryStorage {
  items = new Map<string, string>();
  full = false;
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    if (this.full) throw new DOMException('quota exceeded', 'QuotaExceededError');
    this.items.set(key, value);
  }
}

describe('offline message queue', () => {
  let storage: MemoryStorage;
  beforeEach(() => {
    storage = new MemoryStorage();
    Object.assign(globalThis, { localStorage: storage });
  });
  afterEach(() => {
    Reflect.deleteProperty(globalThis, 'localStorage');
  });

  it('survives a reload: a new page sees what the last one queued, oldest first', () => {
    const before = new MessageQueue('acq_q_key', 500);
    before.add(message('m1'));
    before.add(message('m2'));
    const afterReload = new MessageQueue('acq_q_key', 500);
    expect(ids(afterReload)).toEqual(['m1', 'm2']);
  });

  it('is shared by the tabs of a site', () => {
    const tabA = new MessageQueue('acq_q_key', 500);
    const tabB = new MessageQueue('acq_q_key', 500);
    tabA.add(message('from-a'));
    tabB.add(message('from-b'));
    tabA.remove(['from-b']);
    expect(ids(tabB)).toEqual(['from-a']);
  });

  it('drops the oldest messages past its cap', () => {
    const queue = new MessageQueue('acq_q_key', 3);
    for (const id of ['m1', 'm2', 'm3', 'm4', 'm5']) queue.add(message(id));
    expect(ids(queue)).toEqual(['m3', 'm4', 'm5']);
  });

  it('carries on in memory when localStorage is full', () => {
    const queue = new MessageQueue('acq_q_key', 500);
    queue.add(message('m1'));
    storage.full = true;
    queue.add(message('m2'));
    expect(ids(queue)).toEqual(['m1', 'm2']);
  });

  it('ignores a corrupted stored queue', () => {
    storage.setItem('acq_q_key', '{not json');
    const queue = new MessageQueue('acq_q_key', 500);
    queue.add(message('m1'));
    expect(ids(queue)).toEqual(['m1']);
  });
});
