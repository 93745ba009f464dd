// The realm's export work queue: pieces run in order, one per macrotask (never two in one loop turn), and a
// throwing piece does not strand the ones behind it.
import { describe, expect, it } from 'vitest';
import { ExportWorkQueue } from '../src/processing/export-work-queue.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('ExportWorkQueue', () => {
  it('runs one piece per macrotask, in order: other immediates run between two pieces', async () => {
    const queue = new ExportWorkQueue();
    const log: string[] = [];
    queue.enqueue(() => log.push('a'));
    queue.enqueue(() => log.push('b'));
    queue.enqueue(() => log.push('c'));
    // Queued after the queue's first macrotask: runs in the same check phase as 'a', before 'b'.
    setImmediate(() => log.push('other'));
    expect(queue.length).toBe(3);
    for (let i = 0; i < 5; i++) await nextTurn();
    expect(log).toEqual(['a', 'other', 'b', 'c']);
    expect(queue.length).toBe(0);
  });

  it('keeps going after a piece throws, and restarts when new pieces come after it ran dry', async () => {
    const queue = new ExportWorkQueue();
    const log: string[] = [];
    queue.enqueue(() => { throw new Error('boom'); });
    queue.enqueue(() => log.push('after'));
    for (let i = 0; i < 3; i++) await nextTurn();
    expect(log).toEqual(['after']);
    queue.enqueue(() => log.push('again'));
    for (let i = 0; i < 2; i++) await nextTurn();
    expect(log).toEqual(['after', 'again']);
  });
});
