import { EventEmitter, once } from 'node:events';
// Default imports, read at call time (see real-network.ts).
import http, {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import https from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface TestProxyOptions {
  /**
   * Stall instead of proxying: `'connect'` never answers a CONNECT (nor a forwarded request);
   * `'tunnel'` answers `200 Connection Established` and then swallows the tunnel's bytes, so the
   * client's TLS handshake never completes.
   */
  hang?: 'connect' | 'tunnel';
  /** Require `Proxy-Authorization: Basic` with these credentials, else answer 407. */
  credentials?: { username: string; password: string };
  /** Trust this CA when forwarding an absolute `https://` URI itself (not when tunnelling). */
  upstreamCa?: string;
}

/**
 * An HTTP proxy on 127.0.0.1: CONNECT tunnels (as used for `https://` targets) and forwarding of
 * absolute-URI requests (as used for `http://` targets, and by clients that send an `https://`
 * URI in clear to the proxy). It records what it does and every byte it sees, both ways.
 */
export interface TestProxy {
  /** `http://127.0.0.1:PORT`: give it as `HTTPS_PROXY`, to `HttpsProxyAgent`, or as `proxy`. */
  readonly url: string;
  readonly port: number;
  /** CONNECT targets (`host:port`), one entry per tunnel, in order. */
  readonly tunnels: string[];
  /** Absolute URIs of forwarded requests, with their method: `POST http://host:port/path`. */
  readonly forwarded: string[];
  /** `Proxy-Authorization` headers received (CONNECT and forwarded requests alike). */
  readonly authorizations: string[];
  /** Everything clients sent to the proxy and the proxy sent back, as bytes. */
  traffic(): Buffer;
  /** Whether `text` appears anywhere in {@link traffic}. */
  saw(text: string): boolean;
  /** Tunnels opened to this `host:port`. */
  tunnelsTo(target: string): number;
  /** Emits `'tunnel'` (with the target) on each CONNECT and `'forward'` (with the URI) on each forwarded request. */
  readonly events: EventEmitter;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())),
  );
}

export async function startTestProxy(options: TestProxyOptions = {}): Promise<TestProxy> {
  const chunks: Buffer[] = [];
  const tunnels: string[] = [];
  const forwarded: string[] = [];
  const authorizations: string[] = [];
  const sockets = new Set<Duplex>();
  const events = new EventEmitter();
  const expected =
    options.credentials === undefined
      ? undefined
      : `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`).toString('base64')}`;

  /** Records the proxy-authorization header; false if it is required and wrong. */
  const authorized = (headers: IncomingHttpHeaders): boolean => {
    const header = headers['proxy-authorization'];
    if (header !== undefined) authorizations.push(header);
    return expected === undefined || header === expected;
  };

  const record = (data: string | Buffer) => chunks.push(Buffer.from(data));
  const recordHead = (req: IncomingMessage) => {
    const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    }
    record(`${lines.join('\r\n')}\r\n\r\n`);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    recordHead(req);
    req.on('data', record);
    const target = req.url ?? '';
    if (!/^https?:\/\//i.test(target)) {
      res
        .writeHead(400, { 'content-type': 'text/plain' })
        .end('This is a proxy: send an absolute URI');
      return;
    }
    forwarded.push(`${req.method ?? 'GET'} ${target}`);
    events.emit('forward', target);
    if (!authorized(req.headers)) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test proxy"' }).end();
      return;
    }
    if (options.hang !== undefined) return;
    const send = target.toLowerCase().startsWith('https:') ? https.request : http.request;
    const upstream = send(
      target,
      {
        method: req.method,
        headers: endToEnd(req.headers),
        ...(options.upstreamCa === undefined ? {} : { ca: options.upstreamCa }),
      },
      (answer) => {
        record(`HTTP/1.1 ${answer.statusCode} ${JSON.stringify(answer.headers)}\r\n\r\n`);
        answer.on('data', record);
        res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`upstream error: ${error.message}`);
    });
    req.pipe(upstream);
  });

  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  server.on('connect', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    recordHead(req);
    record(head);
    // From here on the socket is a raw tunnel: every byte either way is recorded.
    socket.on('data', record);
    const target = req.url ?? '';
    tunnels.push(target);
    events.emit('tunnel', target);
    if (!authorized(req.headers)) {
      socket.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test proxy"\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    if (options.hang === 'connect') return;
    if (options.hang === 'tunnel') {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      socket.resume();
      return;
    }
    const [host, port] = [
      target.slice(0, target.lastIndexOf(':')),
      target.slice(target.lastIndexOf(':') + 1),
    ];
    const upstream = connect(Number(port), host.replace(/^\[|\]$/g, ''), () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('data', record);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'));
    socket.on('error', () => upstream.destroy());
  });

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const traffic = () => Buffer.concat(chunks);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    tunnels,
    forwarded,
    authorizations,
    traffic,
    saw: (text) => traffic().includes(Buffer.from(text)),
    tunnelsTo: (target) => tunnels.filter((t) => t === target).length,
    events,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
