import { readLocal, writeLocal } from './browser-storage.js';
import { warn } from './debug-log.js';
import type { Message } from './types.js';

/**
 * The messages the server has not acknowledged yet, oldest first, kept in localStorage so they
 * survive a network cut, a reload or a closed tab.
 *
 * strategy: localStorage is the one source of truth, read and written whole on each change, so
 * the tabs and page loads of a site share one queue; a message two tabs both send is stored once
 * by the server, which deduplicates on messageId. Past `cap` messages the oldest are dropped.
 * When localStorage is blocked or full, the queue carries on in memory for this page.
 */
export class MessageQueue {
  private memory: Message[] = [];
  private persisted = true;

  constructor(
    private key: string,
    private cap: number,
  ) {}

  all(): Message[] {
    if (!this.persisted) return this.memory;
    try {
      const stored = JSON.parse(readLocal(this.key) || '[]');
      return Array.isArray(stored) ? stored : [];
    } catch {
      return [];
    }
  }

  add(message: Message): void {
    const messages = this.all();
    messages.push(message);
    if (messages.length > this.cap) {
      warn(`offline queue full: dropped the oldest ${messages.length - this.cap} message(s)`);
      messages.splice(0, messages.length - this.cap);
    }
    this.save(messages);
  }

  remove(messageIds: string[]): void {
    this.save(this.all().filter((message) => !messageIds.includes(message.messageId)));
  }

  clear(): void {
    this.save([]);
  }

  private save(messages: Message[]): void {
    this.memory = messages;
    if (this.persisted && !writeLocal(this.key, JSON.stringify(messages))) {
      this.persisted = false;
      warn('localStorage refused the queue: unsent messages are kept for this page only');
    }
  }
}
