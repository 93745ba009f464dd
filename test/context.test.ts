// Context managers exercised through @opentelemetry/api: the AsyncLocalStorage manager must follow every async
// boundary Node has and never mix two concurrent flows; the stack manager must be exact synchronously and lose
// context across await exactly as documented.
import { EventEmitter } from 'node:events';
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT_CONTEXT, context, trace, type Context, type ContextManager } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { AsyncLocalStorageContextManager } from '../src/context/async-local-storage-context-manager.js';
import { contextManagerForRuntime } from '../src/context/context-manager-for-runtime.js';
import { StackContextManager } from '../src/context/stack-context-manager.js';
import { createNodeContextManager } from '../src/runtime/node/async-local-storage-context.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';

/** A context whose active span is a non-recording span with span id `n` (16 hex digits). */
function ctxWithSpan(n: number, parent: Context = ROOT_CONTEXT): Context {
  const spanId = n.toString(16).padStart(16, '0');
  return trace.setSpan(parent, trace.wrapSpanContext({ traceId: TRACE_ID, spanId, traceFlags: 1 }));
}

/** The span id number of the active span, or -1 when there is none. */
function activeSpanNumber(): number {
  const span = trace.getSpan(context.active());
  return span === undefined ? -1 : parseInt(span.spanContext().spanId, 16);
}

function install<T extends ContextManager>(manager: T): T {
  expect(context.setGlobalContextManager(manager)).toBe(true);
  return manager;
}

afterEach(() => {
  context.disable();
});

describe('AsyncLocalStorageContextManager (Node)', () => {
  it('is ROOT_CONTEXT outside any with', () => {
    install(createNodeContextManager());
    expect(context.active()).toBe(ROOT_CONTEXT);
    expect(trace.getSpan(context.active())).toBeUndefined();
  });

  it('sets the context for the callback, returns its value, forwards thisArg and arguments', () => {
    install(createNodeContextManager());
    const receiver = { tag: 'receiver' };
    const result = context.with(ctxWithSpan(1), function (this: typeof receiver, a: number, b: string) {
      return [activeSpanNumber(), this.tag, a, b];
    }, receiver, 7, 'x');
    expect(result).toEqual([1, 'receiver', 7, 'x']);
    expect(context.with(ctxWithSpan(2), (a: number, b: number) => a + b + activeSpanNumber(), undefined, 3, 4)).toBe(9);
    expect(context.active()).toBe(ROOT_CONTEXT);
  });

  it('nests and restores the outer context after the inner with returns or throws', () => {
    install(createNodeContextManager());
    const seen: number[] = [];
    context.with(ctxWithSpan(1), () => {
      seen.push(activeSpanNumber());
      context.with(ctxWithSpan(2), () => seen.push(activeSpanNumber()));
      seen.push(activeSpanNumber());
      expect(() => context.with(ctxWithSpan(3), () => {
        seen.push(activeSpanNumber());
        throw new Error('boom');
      })).toThrow('boom');
      seen.push(activeSpanNumber());
    });
    seen.push(activeSpanNumber());
    expect(seen).toEqual([1, 2, 1, 3, 1, -1]);
  });

  it('keeps the context across await, setTimeout, setImmediate, .then chains and queueMicrotask', async () => {
    install(createNodeContextManager());
    const seen = await context.with(ctxWithSpan(42), async () => {
      const out: Record<string, number> = {};
      await null;
      out.afterAwaitNull = activeSpanNumber();
      await sleep(5);
      out.afterAwaitTimer = activeSpanNumber();
      out.setTimeout = await new Promise<number>((resolve) => setTimeout(() => resolve(activeSpanNumber()), 1));
      out.setImmediate = await new Promise<number>((resolve) => setImmediate(() => resolve(activeSpanNumber())));
      out.queueMicrotask = await new Promise<number>((resolve) => queueMicrotask(() => resolve(activeSpanNumber())));
      out.thenChain = await Promise.resolve(1)
        .then((v) => v + 1)
        .then(() => new Promise<number>((resolve) => setTimeout(() => resolve(activeSpanNumber()), 1)))
        .then((v) => v + activeSpanNumber() - 42);
      out.nestedAsync = await (async () => {
        await sleep(1);
        return activeSpanNumber();
      })();
      return out;
    });
    expect(seen).toEqual({
      afterAwaitNull: 42, afterAwaitTimer: 42, setTimeout: 42, setImmediate: 42, queueMicrotask: 42,
      thenChain: 42, nestedAsync: 42,
    });
    expect(context.active()).toBe(ROOT_CONTEXT);
  });

  it('gives an inner async with its own context without disturbing the outer flow', async () => {
    install(createNodeContextManager());
    const seen = await context.with(ctxWithSpan(1), async () => {
      const inner = context.with(ctxWithSpan(2), async () => {
        await sleep(2);
        return activeSpanNumber();
      });
      const outerMeanwhile = activeSpanNumber();
      await sleep(1);
      return [outerMeanwhile, await inner, activeSpanNumber()];
    });
    expect(seen).toEqual([1, 2, 1]);
  });

  it('never lets two interleaved requests see each other\'s context', async () => {
    install(createNodeContextManager());
    // Two requests whose awaits alternate (A waits 1, 7, 3 ms; B waits 4, 2, 6 ms), then 50 more at once.
    const request = (id: number, delaysMs: number[]) => context.with(ctxWithSpan(id), async () => {
      const seen: number[] = [activeSpanNumber()];
      for (const delayMs of delaysMs) {
        await sleep(delayMs);
        seen.push(activeSpanNumber());
        await new Promise<void>((resolve) => setImmediate(resolve));
        seen.push(activeSpanNumber());
      }
      return seen;
    });
    const [a, b] = await Promise.all([request(0xa, [1, 7, 3]), request(0xb, [4, 2, 6])]);
    expect(a).toEqual(Array(7).fill(0xa));
    expect(b).toEqual(Array(7).fill(0xb));

    const many = await Promise.all(Array.from({ length: 50 }, (_, i) => request(100 + i, [i % 5, (7 * i) % 4])));
    many.forEach((seen, i) => expect(seen).toEqual(Array(5).fill(100 + i)));
    expect(context.active()).toBe(ROOT_CONTEXT);
  });

  it('binds a function to a context, keeping this, arguments, return value and length', async () => {
    install(createNodeContextManager());
    function handler(this: { tag: string }, a: number, b: number, c: number, d: number): string {
      return `${this.tag}:${a + b + c + d}:${activeSpanNumber()}`;
    }
    const bound = context.bind(ctxWithSpan(5), handler);
    expect(bound.length).toBe(4);
    expect(bound.call({ tag: 't' }, 1, 2, 3, 4)).toBe('t:10:5');
    // Called later from another context, it still runs in the bound one, then the caller's comes back.
    const later = await context.with(ctxWithSpan(6), () => new Promise<number[]>((resolve) => setTimeout(() => {
      const inBound = context.bind(ctxWithSpan(7), () => activeSpanNumber())();
      resolve([inBound, activeSpanNumber()]);
    }, 1)));
    expect(later).toEqual([7, 6]);
  });

  it('binds EventEmitter listeners added after bind, with once, removeListener and duplicates intact', () => {
    install(createNodeContextManager());
    const emitter = new EventEmitter();
    const before: number[] = [];
    emitter.on('data', () => before.push(activeSpanNumber()));
    expect(context.bind(ctxWithSpan(8), emitter)).toBe(emitter);
    expect(context.bind(ctxWithSpan(9), emitter)).toBe(emitter);

    const seen: string[] = [];
    const onData = (v: string) => seen.push(`${v}@${activeSpanNumber()}`);
    emitter.on('data', onData);
    emitter.addListener('data', onData);
    emitter.once('data', (v: string) => seen.push(`once:${v}@${activeSpanNumber()}`));
    emitter.prependListener('data', (v: string) => seen.push(`first:${v}@${activeSpanNumber()}`));
    context.with(ctxWithSpan(99), () => emitter.emit('data', 'a'));
    emitter.emit('data', 'b');
    expect(seen).toEqual(['first:a@8', 'a@8', 'a@8', 'once:a@8', 'first:b@8', 'b@8', 'b@8']);
    expect(before).toEqual([99, -1]);

    // A duplicate registration is removed one at a time with the original function, as on a plain emitter.
    expect(emitter.listenerCount('data')).toBe(4);
    expect(emitter.listeners('data').filter((l) => l === onData)).toHaveLength(2); // originals, not wrappers
    emitter.removeListener('data', onData);
    expect(emitter.listenerCount('data')).toBe(3);
    emitter.off('data', onData);
    expect(emitter.listenerCount('data')).toBe(2);
    const onceRemoved = () => seen.push('never');
    emitter.once('end', onceRemoved);
    emitter.removeListener('end', onceRemoved);
    emitter.prependOnceListener('end', onceRemoved);
    emitter.off('end', onceRemoved);
    emitter.emit('end');
    expect(seen).not.toContain('never');
    expect(emitter.listenerCount('end')).toBe(0);
  });

  it('binds EventTarget listeners, including { handleEvent } objects, and removes them by the original', () => {
    install(createNodeContextManager());
    const target = new EventTarget();
    context.bind(ctxWithSpan(10), target);
    const seen: string[] = [];
    const fn = (e: Event) => seen.push(`fn:${e.type}@${activeSpanNumber()}`);
    const obj = { tag: 'obj', handleEvent(e: Event) { seen.push(`${this.tag}:${e.type}@${activeSpanNumber()}`); } };
    target.addEventListener('ping', fn);
    target.addEventListener('ping', fn); // the DOM ignores a duplicate; the reused wrapper keeps that true
    target.addEventListener('ping', obj);
    target.dispatchEvent(new Event('ping'));
    target.removeEventListener('ping', fn);
    target.removeEventListener('ping', obj);
    target.dispatchEvent(new Event('ping'));
    expect(seen).toEqual(['fn:ping@10', 'obj:ping@10']);
  });

  it('returns other targets unchanged from bind', () => {
    install(createNodeContextManager());
    const plain = { a: 1 };
    expect(context.bind(ctxWithSpan(1), plain)).toBe(plain);
    expect(context.bind(ctxWithSpan(1), 5)).toBe(5);
    const frozen = Object.freeze(new EventEmitter());
    expect(context.bind(ctxWithSpan(1), frozen)).toBe(frozen);
  });

  it('stops propagation on disable(), also in continuations scheduled before it', async () => {
    const manager = install(createNodeContextManager());
    const pending = context.with(ctxWithSpan(11), async () => {
      const before = activeSpanNumber();
      await sleep(2);
      return [before, trace.getSpan(manager.active())];
    });
    manager.disable();
    expect(manager.active()).toBe(ROOT_CONTEXT);
    expect(manager.with(ctxWithSpan(12), () => manager.active())).toBe(ROOT_CONTEXT);
    expect(await pending).toEqual([11, undefined]);
  });

  it('does not revive an earlier context on enable() after disable()', async () => {
    const manager = install(createNodeContextManager());
    const pending = context.with(ctxWithSpan(13), async () => {
      await sleep(5);
      return trace.getSpan(manager.active());
    });
    manager.disable();
    manager.enable();
    // On Node 20, running anything on the same, re-enabled storage makes the old store visible to `pending` again.
    expect(manager.with(ctxWithSpan(14), () => activeSpanNumber())).toBe(14);
    expect(await pending).toBeUndefined();
    // And the re-enabled manager propagates normally.
    expect(await context.with(ctxWithSpan(15), async () => {
      await sleep(1);
      return activeSpanNumber();
    })).toBe(15);
  });

  it('stops propagation through the API once context.disable() unregisters it', async () => {
    install(createNodeContextManager());
    const pending = context.with(ctxWithSpan(16), async () => {
      await sleep(2);
      return context.active();
    });
    context.disable();
    expect(await pending).toBe(ROOT_CONTEXT);
    expect(context.with(ctxWithSpan(17), () => context.active())).toBe(ROOT_CONTEXT);
  });
});

describe('contextManagerForRuntime', () => {
  it('uses AsyncLocalStorage when the adapter passes it, the stack manager otherwise', async () => {
    const withAls = contextManagerForRuntime(AsyncLocalStorage);
    expect(withAls).toBeInstanceOf(AsyncLocalStorageContextManager);
    install(withAls);
    expect(await context.with(ctxWithSpan(16), async () => {
      await sleep(1);
      return activeSpanNumber();
    })).toBe(16);
    expect(contextManagerForRuntime()).toBeInstanceOf(StackContextManager);
    expect(contextManagerForRuntime(undefined)).toBeInstanceOf(StackContextManager);
  });

  it('falls back to the stack manager when AsyncLocalStorage cannot be constructed', () => {
    class BrokenShim {
      constructor() { throw new Error('AsyncLocalStorage is not supported in this environment'); }
    }
    const manager = contextManagerForRuntime(BrokenShim as unknown as typeof AsyncLocalStorage);
    expect(manager).toBeInstanceOf(StackContextManager);
  });
});

describe('StackContextManager', () => {
  it('sets the context synchronously, nests, forwards thisArg and arguments', () => {
    install(new StackContextManager());
    const seen: number[] = [];
    const result = context.with(ctxWithSpan(1), function (this: { k: number }, a: number) {
      seen.push(activeSpanNumber());
      context.with(ctxWithSpan(2, context.active()), () => seen.push(activeSpanNumber()));
      seen.push(activeSpanNumber());
      return this.k + a;
    }, { k: 40 }, 2);
    seen.push(activeSpanNumber());
    expect(result).toBe(42);
    expect(seen).toEqual([1, 2, 1, -1]);
  });

  it('restores the previous context when the callback throws', () => {
    install(new StackContextManager());
    context.with(ctxWithSpan(1), () => {
      expect(() => context.with(ctxWithSpan(2), () => { throw new TypeError('bad'); })).toThrow(TypeError);
      expect(activeSpanNumber()).toBe(1);
    });
    expect(context.active()).toBe(ROOT_CONTEXT);
  });

  it('loses the context across await, timers and microtasks, as documented', async () => {
    install(new StackContextManager());
    const seen = await context.with(ctxWithSpan(3), async () => {
      const out: number[] = [activeSpanNumber()];
      await null;
      out.push(activeSpanNumber());
      out.push(await new Promise<number>((resolve) => setTimeout(() => resolve(activeSpanNumber()), 1)));
      out.push(await new Promise<number>((resolve) => queueMicrotask(() => resolve(activeSpanNumber()))));
      return out;
    });
    // Only the synchronous start of the async function runs inside with; everything after the first await does not.
    expect(seen).toEqual([3, -1, -1, -1]);
  });

  it('carries a context across a timer with bind, the documented workaround', async () => {
    install(new StackContextManager());
    const seen = await context.with(ctxWithSpan(4), () => new Promise<number>((resolve) => {
      setTimeout(context.bind(context.active(), () => resolve(activeSpanNumber())), 1);
    }));
    expect(seen).toBe(4);
    const emitter = new EventEmitter();
    context.bind(ctxWithSpan(5), emitter);
    let fromListener = 0;
    emitter.on('x', () => { fromListener = activeSpanNumber(); });
    emitter.emit('x');
    expect(fromListener).toBe(5);
  });

  it('is inert while disabled and starts again from ROOT_CONTEXT on enable()', () => {
    const manager = new StackContextManager();
    manager.with(ctxWithSpan(6), () => {
      manager.disable();
      expect(manager.active()).toBe(ROOT_CONTEXT);
    });
    expect(manager.active()).toBe(ROOT_CONTEXT);
    expect(manager.with(ctxWithSpan(7), () => manager.active())).toBe(ROOT_CONTEXT);
    manager.enable();
    expect(manager.with(ctxWithSpan(8), () => trace.getSpan(manager.active())?.spanContext().spanId))
      .toBe('0000000000000008');
  });
});
