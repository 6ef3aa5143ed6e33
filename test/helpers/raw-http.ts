import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * One HTTP/1.1 request written byte for byte, so the request target reaches the server exactly
 * as given (percent-escapes, dot segments and absolute-form targets that fetch and inject would
 * normalise). The connection closes after the response.
 */
export function rawRequest(port: number, method: string, target: string, headers: Record<string, string> = {}, body = ''): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const lines = [`${method} ${target} HTTP/1.1`, ...Object.entries({ host: `127.0.0.1:${port}`, connection: 'close', 'content-length': String(Buffer.byteLength(body)), ...headers }).map(([k, v]) => `${k}: ${v}`)];
    const chunks: Buffer[] = [];
    socket.on('connect', () => socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]);
      if (!Number.isInteger(status)) return reject(new Error(`no HTTP response to ${method} ${target}: ${JSON.stringify(text.slice(0, 200))}`));
      const parsed: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        parsed[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status, headers: parsed, body: rest.join('\r\n\r\n') });
    });
  });
}

export interface Exchange {
  /** The final status (a 100 Continue is skipped), or how the exchange ended without one. */
  status: number | 'closed' | 'timeout';
  headers: Record<string, string>;
  body: Buffer;
}

export interface ExchangeOptions {
  /** The loopback address to connect from (the server caps connections per address). */
  localAddress?: string;
  /** Past this without a complete answer the client gives up and reports 'timeout'. */
  timeoutMs: number;
  /** Called once `bytes` are written: to send more slowly, stall, or hang up. */
  then?: (socket: Socket) => void;
}

/** The final response head in `data`, once it has all arrived: a 100 Continue before it is skipped. */
function finalHead(data: Buffer): { status: number; headers: Record<string, string>; bodyAt: number } | undefined {
  let at = 0;
  for (;;) {
    const end = data.indexOf('\r\n\r\n', at, 'latin1');
    if (end < 0) return undefined;
    const [statusLine = '', ...lines] = data.subarray(at, end).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
    if (status === 100) {
      at = end + 4;
      continue;
    }
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    return { status: Number.isInteger(status) ? status : NaN, headers, bodyAt: end + 4 };
  }
}

/**
 * Writes `bytes` exactly as given (bytes a client could send but no HTTP library would: NUL in
 * the target, duplicate headers, lying lengths) and reads the answer. Resolves once the answer
 * is complete (its Content-Length, the end of a chunked body, a 101) or the server closes, and
 * never rejects: a refused or reset connection is 'closed'.
 */
export function exchange(port: number, bytes: Buffer, options: ExchangeOptions): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress: options.localAddress });
    let data = Buffer.alloc(0);
    let settled = false;
    const finish = (result: Exchange) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const answer = (): Exchange | undefined => {
      const head = finalHead(data);
      if (!head) return undefined;
      return { status: Number.isNaN(head.status) ? 'closed' : head.status, headers: head.headers, body: data.subarray(head.bodyAt) };
    };
    const timer = setTimeout(() => finish(answer() ?? { status: 'timeout', headers: {}, body: Buffer.alloc(0) }), options.timeoutMs);
    socket.on('connect', () => {
      socket.write(bytes);
      options.then?.(socket);
    });
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      const got = answer();
      if (!got) return;
      const length = Number(got.headers['content-length']);
      const chunkedDone = got.headers['transfer-encoding'] === 'chunked' && got.body.subarray(-5).toString('latin1') === '0\r\n\r\n';
      if (got.status === 101 || got.status === 304 || (Number.isInteger(length) && got.body.length >= length) || chunkedDone) finish(got);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => finish(answer() ?? { status: 'closed', headers: {}, body: Buffer.alloc(0) }));
  });
}
