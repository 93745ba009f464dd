// Retry as a decorator around a Transport (OTLP spec protocol/exporter.md "Retry"): exponential backoff with
// jitter, server-given delays honoured (Retry-After, RetryInfo), everything bounded by one deadline per export.
// Defaults follow the official JS SDK: 5 attempts, 1 s initial backoff, x1.5, 5 s cap, ±20 % jitter.
// Never throws; never retries a 'failure' or a success.
import type { SendResult, Transport } from './transport.js';

export interface RetryPolicy {
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  backoffMultiplier: number;
  /** Fraction of each backoff added or removed at random (0.2: ±20 %). */
  jitter: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5, initialBackoffMs: 1000, maxBackoffMs: 5000, backoffMultiplier: 1.5, jitter: 0.2,
};

/** What happened to one export after all its attempts. */
export interface RetriedSend {
  result: SendResult;
  attempts: number;
  /** True when the deadline, not the server, ended the retries. */
  timedOut: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends `body`, retrying retryable results until success, a non-retryable failure, maxAttempts, or the deadline
 * (timeoutMs from now). Each attempt gets the time left as its own timeout.
 */
export async function sendWithRetry(
  transport: Transport, body: Uint8Array, gzip: boolean, timeoutMs: number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY, random: () => number = Math.random,
): Promise<RetriedSend> {
  const deadline = Date.now() + timeoutMs;
  let backoffMs = policy.initialBackoffMs;
  let attempts = 0;
  for (;;) {
    const leftMs = deadline - Date.now();
    if (leftMs <= 0) {
      return { result: { status: 'retryable', error: 'export timeout before the request could be sent' }, attempts, timedOut: true };
    }
    attempts++;
    const result = await transport.send(body, { timeoutMs: leftMs, gzip });
    if (result.status !== 'retryable' || attempts >= policy.maxAttempts) {
      return { result, attempts, timedOut: false };
    }
    const jittered = backoffMs * (1 - policy.jitter + 2 * policy.jitter * random());
    const delayMs = result.retryAfterMs !== undefined ? result.retryAfterMs : jittered;
    if (Date.now() + delayMs >= deadline) return { result, attempts, timedOut: true };
    await sleep(delayMs);
    backoffMs = Math.min(backoffMs * policy.backoffMultiplier, policy.maxBackoffMs);
  }
}
