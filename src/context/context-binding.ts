// ContextManager.bind for both managers: a function becomes a wrapper that runs it in the context; an
// EventEmitter-like or EventTarget-like object gets its listener registration patched. Portable (structural checks,
// no node:events); never patches an object twice and never changes the arguments a listener receives.
import type { Context, ContextManager } from '@opentelemetry/api';

/** Any listener as the registration methods see it. */
type Listener = (...args: unknown[]) => unknown;

/** Turns a listener into one that runs in the bound context. */
type ListenerWrapper = (listener: Listener) => Listener;

/** Marks an instance whose methods are already patched: the first bound context wins, as in the official SDK. */
const PATCHED = Symbol('spanwire.context.patchedListeners');

const EMITTER_ADDERS = ['on', 'addListener', 'prependListener', 'once', 'prependOnceListener'] as const;
const EMITTER_REMOVERS = ['off', 'removeListener'] as const;

type MethodHost = Record<PropertyKey, unknown>;

/** True for objects shaped like Node's EventEmitter (on, addListener, removeListener, emit). */
function isEventEmitterLike(target: unknown): boolean {
  if (typeof target !== 'object' || target === null) return false;
  const host = target as MethodHost;
  return typeof host.on === 'function' && typeof host.addListener === 'function'
    && typeof host.removeListener === 'function' && typeof host.emit === 'function';
}

/** True for objects shaped like a DOM EventTarget (addEventListener, removeEventListener). */
function isEventTargetLike(target: unknown): boolean {
  if (typeof target !== 'object' || target === null) return false;
  const host = target as MethodHost;
  return typeof host.addEventListener === 'function' && typeof host.removeEventListener === 'function';
}

/**
 * `ContextManager.bind` semantics shared by our managers: functions are wrapped (see {@link bindFunction}),
 * EventEmitter-like and EventTarget-like objects are patched (see {@link bindListeners}), anything else is returned
 * as it is.
 */
export function bindToContext<T>(manager: ContextManager, context: Context, target: T): T {
  if (typeof target === 'function') return bindFunction(manager, context, target as unknown as Listener) as T;
  if (isEventEmitterLike(target) || isEventTargetLike(target)) {
    return bindListeners(target, (listener) => bindFunction(manager, context, listener));
  }
  return target;
}

/**
 * A function that calls `fn` inside `manager.with(context, ...)`, forwarding `this` and the arguments. It keeps
 * `fn.length`, because frameworks dispatch on arity (Express treats 4-argument middleware as an error handler).
 */
function bindFunction(manager: ContextManager, context: Context, fn: Listener): Listener {
  const bound = function (this: unknown, ...args: unknown[]): unknown {
    return manager.with(context, fn, this, ...args);
  };
  Object.defineProperty(bound, 'length', { value: fn.length, enumerable: false, configurable: true, writable: false });
  return bound;
}

/**
 * Patches `target` so that every listener registered from now on runs through `wrap`. One wrapper per listener is
 * reused for every registration, so duplicate adds, `once` and remove keep the emitter's own semantics:
 * `removeListener(event, original)` and `removeEventListener(type, original)` find the wrapper. Each function
 * wrapper carries Node's `listener` back-reference, so `listeners()` and the `newListener` / `removeListener`
 * events report the original. Listeners registered before the call are not touched. Frozen or already patched
 * objects are returned unchanged.
 */
function bindListeners<T>(target: T, wrap: ListenerWrapper): T {
  if (typeof target !== 'object' || target === null || !Object.isExtensible(target)) return target;
  const host = target as unknown as MethodHost;
  if (host[PATCHED] === true) return target;
  const wrappers = new WeakMap<object, Listener>();

  const wrapperFor = (listener: unknown): unknown => {
    if (typeof listener === 'function') {
      let wrapped = wrappers.get(listener);
      if (wrapped === undefined) {
        wrapped = wrap(listener as Listener);
        Object.defineProperty(wrapped, 'listener', { value: listener, enumerable: false, configurable: true });
        wrappers.set(listener, wrapped);
      }
      return wrapped;
    }
    // EventTarget also accepts { handleEvent }: look the method up at dispatch time, as the DOM spec does.
    if (typeof listener === 'object' && listener !== null && 'handleEvent' in listener) {
      let wrapped = wrappers.get(listener);
      if (wrapped === undefined) {
        const handler = listener as { handleEvent: Listener };
        wrapped = wrap((...args: unknown[]) => handler.handleEvent(...args));
        wrappers.set(listener, wrapped);
      }
      return wrapped;
    }
    return listener;
  };
  const existingWrapper = (listener: unknown): unknown =>
    (typeof listener === 'function' || (typeof listener === 'object' && listener !== null))
      ? (wrappers.get(listener) ?? listener) : listener;

  // Node's once() registers through this.on(): while one patched adder runs, nested ones must pass the listener
  // through, or the once-wrapper would be wrapped again and removeListener(original) could no longer find it.
  let adding = false;
  const emitter = isEventEmitterLike(target);
  const eventTarget = isEventTargetLike(target);
  const adders = [...(emitter ? EMITTER_ADDERS : []), ...(eventTarget ? ['addEventListener'] : [])];
  const removers = [...(emitter ? EMITTER_REMOVERS : []), ...(eventTarget ? ['removeEventListener'] : [])];
  for (const name of adders) {
    const original = host[name];
    if (typeof original !== 'function') continue;
    replaceMethod(host, name, function (this: unknown, event: unknown, listener: unknown, ...rest: unknown[]) {
      if (adding) return original.call(this, event, listener, ...rest);
      adding = true;
      try {
        return original.call(this, event, wrapperFor(listener), ...rest);
      } finally {
        adding = false;
      }
    });
  }
  for (const name of removers) {
    const original = host[name];
    if (typeof original !== 'function') continue;
    replaceMethod(host, name, function (this: unknown, event: unknown, listener: unknown, ...rest: unknown[]) {
      return original.call(this, event, existingWrapper(listener), ...rest);
    });
  }
  Object.defineProperty(host, PATCHED, { value: true, enumerable: false, configurable: true, writable: false });
  return target;
}

/** Installs `method` as a non-enumerable own property of `host`, shadowing the prototype's. */
function replaceMethod(host: MethodHost, name: string, method: (...args: never[]) => unknown): void {
  Object.defineProperty(host, name, { value: method, enumerable: false, configurable: true, writable: true });
}
