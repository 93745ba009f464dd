// An export thread entry that answers its first request with success and exits (code 1) on its second: its deaths
// never come three in a row without an answer, so ExportThreadTransport must keep starting new threads.
import { parentPort } from 'node:worker_threads';

let requests = 0;
parentPort.on('message', (message) => {
  if (message.shutdown === true) {
    parentPort.close();
    return;
  }
  requests++;
  if (requests === 1) parentPort.postMessage({ id: message.id, result: { status: 'success', response: new Uint8Array(0) } });
  else process.exit(1);
});
