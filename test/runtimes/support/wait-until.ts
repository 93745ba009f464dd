// Owns waiting for something a runtime does asynchronously (a request reaching the receiver, a connection cut) by
// checking a condition every 10 ms. The limit bounds a hang; it is not a timing assertion.

/** Resolves once `condition()` holds; fails, naming `what`, after `limitMs`. */
export async function until(condition: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
