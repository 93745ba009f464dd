// Chooses the ContextManager for the runtime at hand: AsyncLocalStorage-based when the runtime adapter hands in an
// AsyncLocalStorage class, the synchronous stack manager otherwise (browsers). Portable: it must never import
// node:async_hooks or look for it on its own; the adapters in src/runtime/* supply it.
import { AsyncLocalStorageContextManager, type AsyncLocalStorageConstructor } from './async-local-storage-context-manager.js';
import { StackContextManager } from './stack-context-manager.js';

/**
 * An enabled context manager for this runtime: {@link AsyncLocalStorageContextManager} over `AsyncLocalStorage` when
 * it is given and can be constructed, else {@link StackContextManager}, which loses context across `await`.
 * Register the result with `context.setGlobalContextManager(manager)`.
 *
 * @param AsyncLocalStorage the runtime's class (`node:async_hooks` on Node, Bun, Deno and workerd with
 *   nodejs_compat), or undefined where there is none.
 */
export function contextManagerForRuntime(
  AsyncLocalStorage?: AsyncLocalStorageConstructor,
): AsyncLocalStorageContextManager | StackContextManager {
  if (typeof AsyncLocalStorage === 'function') {
    try {
      return new AsyncLocalStorageContextManager(AsyncLocalStorage);
    } catch {
      // A stub that throws on construction (some bundlers' browser shims do) means no async context here.
    }
  }
  return new StackContextManager();
}
