// A synchronous OpenTelemetry ContextManager for runtimes without AsyncLocalStorage (browsers): one "current"
// slot saved and restored around each `with`. It must never hold a context past the `with` that set it, even when
// the callback throws; it cannot follow `await`, timers or promise callbacks (see the class comment).
import { ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api';
import { bindToContext } from './context-binding.js';

/**
 * Context propagation by call stack only. `with(ctx, fn)` makes `ctx` active while `fn` runs synchronously and
 * restores the previous context when `fn` returns or throws.
 *
 * Context is lost across asynchronous boundaries, by design: after an `await`, in a `setTimeout`, `.then` or
 * `queueMicrotask` callback, `active()` returns whatever is active when that callback runs (normally
 * `ROOT_CONTEXT`), not the context of the code that scheduled it. Carry a context across such a boundary
 * explicitly with `context.bind(ctx, fn)` (which this manager supports for functions, EventEmitter-like and
 * EventTarget-like objects) or by passing it to `startSpan` yourself. Use an AsyncLocalStorage-based manager
 * where the runtime has one (`contextManagerForRuntime`).
 *
 * A new manager is enabled; `disable()` makes it inert (`active()` is `ROOT_CONTEXT`, `with` only calls `fn`)
 * until `enable()`.
 */
export class StackContextManager implements ContextManager {
  private current: Context = ROOT_CONTEXT;
  private enabled = true;

  /** The context set by the innermost running `with`, or `ROOT_CONTEXT`. */
  active(): Context {
    // The flag also covers disable() called inside a `with`, whose `finally` then restores an outer context.
    return this.enabled ? this.current : ROOT_CONTEXT;
  }

  /** Calls `fn` with `thisArg` and `args` while `context` is active; restores the previous context afterwards. */
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A
  ): ReturnType<F> {
    if (!this.enabled) return fn.call(thisArg, ...args);
    const previous = this.current;
    this.current = context;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.current = previous;
    }
  }

  /** Binds a function (or an EventEmitter-like / EventTarget-like object's future listeners) to `context`. */
  bind<T>(context: Context, target: T): T {
    return bindToContext(this, context, target);
  }

  /** Turns propagation back on after `disable()`, starting from `ROOT_CONTEXT`. */
  enable(): this {
    if (!this.enabled) {
      this.enabled = true;
      this.current = ROOT_CONTEXT;
    }
    return this;
  }

  /** Stops propagation: `active()` returns `ROOT_CONTEXT` and `with` calls `fn` without setting a context. */
  disable(): this {
    this.enabled = false;
    this.current = ROOT_CONTEXT;
    return this;
  }
}
