// Owns the browser tests' origin on 127.0.0.1: serves the pages and bundles, forwards every other request to the
// OTLP receiver (so the page posts same-origin: no CORS), and keeps POST /control open until the browser drops it,
// the control that tells a plain fetch (cut when its page goes away) from a keepalive one (which outlives it).
import { Buffer } from 'node:buffer';
import { type IncomingMessage, type Server, type ServerResponse, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Asset {
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

export class BrowserFrontServer {
  private server: Server | undefined;
  private readonly assets = new Map<string, Asset>();
  /** Per POST /control/<name>: requests that arrived, and those the browser closed before they were answered. */
  readonly controlArrived = new Map<string, number>();
  readonly controlDropped = new Map<string, number>();
  private readonly openControls = new Set<ServerResponse>();
  port = 0;

  constructor(private readonly upstreamPort: number) {}

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Serves `asset` at `path` (e.g. '/page.html'). */
  serve(path: string, asset: Asset): this {
    this.assets.set(path, asset);
    return this;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    for (const res of this.openControls) res.end();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', this.origin).pathname;
    const asset = req.method === 'GET' ? this.assets.get(path) : undefined;
    if (asset !== undefined) {
      res.writeHead(200, { 'Content-Type': asset.contentType, 'Cache-Control': 'no-store', ...asset.headers });
      res.end(asset.body);
      return;
    }
    if (req.method === 'GET' && path === '/favicon.ico') {
      res.writeHead(404).end();
      return;
    }
    if (req.method === 'POST' && path.startsWith('/control/')) {
      const name = path.slice('/control/'.length);
      this.controlArrived.set(name, (this.controlArrived.get(name) ?? 0) + 1);
      this.openControls.add(res);
      req.resume();
      res.on('close', () => {
        this.openControls.delete(res);
        if (!res.writableFinished) this.controlDropped.set(name, (this.controlDropped.get(name) ?? 0) + 1);
      });
      return;
    }
    this.forward(req, res);
  }

  /** Streams the request to the receiver and its answer back; a browser that goes away cuts the upstream too. */
  private forward(req: IncomingMessage, res: ServerResponse): void {
    const upstream = httpRequest({
      host: '127.0.0.1', port: this.upstreamPort, method: req.method, path: req.url, headers: req.headers,
    }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.on('data', (chunk: Buffer) => upstream.write(chunk));
    req.on('end', () => upstream.end());
  }
}
