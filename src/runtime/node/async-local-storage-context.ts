// Node adapter for context propagation: hands node:async_hooks' AsyncLocalStorage to the portable
// AsyncLocalStorageContextManager. Owns nothing else; the manager's behaviour lives in src/context/.
import { AsyncLocalStorage } from 'node:async_hooks';
import { AsyncLocalStorageContextManager } from '../../context/async-local-storage-context-manager.js';

/**
 * A new, enabled AsyncLocalStorage-based context manager for Node. Register it with
 * `context.setGlobalContextManager(createNodeContextManager())`.
 */
export function createNodeContextManager(): AsyncLocalStorageContextManager {
  return new AsyncLocalStorageContextManager(AsyncLocalStorage);
}
