// An export thread entry that takes every message, shutdown included, and never answers (a stuck thread): only the
// transport's grace timer (timeout + 2 s) and shutdown()'s terminate after 5 s end what was handed to it.
import { parentPort } from 'node:worker_threads';

parentPort.on('message', () => {});
