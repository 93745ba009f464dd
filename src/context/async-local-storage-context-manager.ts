// The OpenTelemetry ContextManager on top of an AsyncLocalStorage that a runtime adapter injects (Node, Bun, Deno,
// workerd with nodejs_compat): context follows await, timers and promise callbacks. Portable: it must never import
// node:async_hooks itself, and `with` must allocate nothing beyond what `storage.run` needs.
import { ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api';
import { bindToContext } from './context-binding.js';

/** The part of `AsyncLocalStorage` this manager uses; Node's, Bun's, Deno's and workerd's all fit. */
export interface AsyncLocalStorageLike<T> {
  getStore(): T | undefined;
  run<R>(store: T, callback: (...args: any[]) => R, ...args: any[]): R;
  /** Optional: not every runtime's AsyncLocalStorage has it. */
  disable?(): void;
}

/** The `AsyncLocalStorage` class of a runtime (Node's async_hooks module has it; runtime adapters pass it in). */
export type AsyncLocalStorageConstructor = new () => AsyncLocalStorageLike<Context>;

/**
 * Context propagation through asynchronous work via `AsyncLocalStorage`. The class, not an instance, is injected
 * because `disable()` then `enable()` must start from a fresh storage: Node 20 keeps each store on the async
 * resources that captured it, so a continuation scheduled before `disable()` would see its old context again
 * once the same storage runs anything (checked on Node 20.20). A new manager is enabled.
 *
 * `bind` wraps functions and patches EventEmitter-like / EventTarget-like objects (listeners added after the
 * call run in the bound context; the first `bind` of an object wins, as in the official SDK).
 */
export class AsyncLocalStorageContextManager implements ContextManager {
  private storage: AsyncLocalStorageLike<Context>;
  private enabled = true;

  /** @param Storage the runtime's `AsyncLocalStorage` class. */
  constructor(private readonly Storage: AsyncLocalStorageConstructor) {
    this.storage = new Storage();
  }

  /** The context of the innermost `with` this execution descends from, or `ROOT_CONTEXT`. */
  active(): Context {
    if (!this.enabled) return ROOT_CONTEXT;
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }

  /**
   * Runs `fn` in `context` via `storage.run`. Without `thisArg` the function goes straight to `run` (on Node it
   * then sees `this === null`, like under the official manager); with one, `Reflect.apply` is the callback, so
   * no bound function or closure is created per call.
   */
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A
  ): ReturnType<F> {
    if (!this.enabled) return fn.call(thisArg, ...args);
    if (thisArg === undefined) return this.storage.run(context, fn, ...args);
    return this.storage.run(context, Reflect.apply, fn, thisArg, args) as ReturnType<F>;
  }

  /** Binds a function (or an EventEmitter-like / EventTarget-like object's future listeners) to `context`. */
  bind<T>(context: Context, target: T): T {
    return bindToContext(this, context, target);
  }

  /** Turns propagation back on after `disable()` with a fresh storage, so no earlier context can reappear. */
  enable(): this {
    if (!this.enabled) {
      this.storage = new this.Storage();
      this.enabled = true;
    }
    return this;
  }

  /**
   * Stops propagation: `active()` returns `ROOT_CONTEXT` everywhere, including in continuations scheduled
   * earlier, and `with` only calls `fn`. The storage is disabled too, so it stops tracking async resources.
   */
  disable(): this {
    if (this.enabled) {
      this.enabled = false;
      this.storage.disable?.();
    }
    return this;
  }
}
