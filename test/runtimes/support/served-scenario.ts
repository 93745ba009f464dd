// Owns the check shared by the server-shaped runtimes (Deno.serve, Bun.serve): start the bundled entry as a child
// process, request the scenario over HTTP, and require every span to be at the receiver by the time the response
// arrives: withRequestFlush awaits the flush before answering, and the batch timer (60 s) never fires meanwhile.
import { expect } from 'vitest';
import type { FakeHttpReceiver } from '../../support/otlp-fake-receiver.js';
import type { ScenarioRecording } from '../scenario/trace-scenario.js';
import { checkDelivery, checkRequests } from './check-delivery.js';
import { ChildRuntime } from './child-runtime.js';

/** Runs `command args` (which must print `listening <port>`), GETs /run and checks delivery; returns the recording. */
export async function runServedScenario(command: string, args: string[], cwd: string, receiver: FakeHttpReceiver,
  env?: NodeJS.ProcessEnv): Promise<ScenarioRecording> {
  const child = new ChildRuntime(command, args, { cwd, ...(env === undefined ? {} : { env }) });
  try {
    const port = Number(await child.line('listening '));
    const response = await fetch(`http://127.0.0.1:${port}/run`);
    expect(response.status, child.output).toBe(200);
    const recording = (await response.json()) as ScenarioRecording;
    // Snapshot at the moment the response arrived: the request-scoped flush must already have delivered.
    const requests = [...receiver.requests];
    checkRequests(requests);
    checkDelivery(recording, requests.flatMap((request) => request.spans));
    return recording;
  } finally {
    await child.dispose();
  }
}
