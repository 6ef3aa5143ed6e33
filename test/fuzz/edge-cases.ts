/**
 * Seeded cases for the server's edges: request targets written every way a router or a prefix
 * check may read differently, hostile headers, and slow or partial bodies. Each case is the
 * exact bytes a client writes, so nothing between the case and the server normalises it.
 */
import type { Rng } from './rng.js';

export interface RouteEntry {
  method: string;
  url: string;
  public: boolean;
}

export interface EdgeContext {
  routes: readonly RouteEntry[];
  port: number;
  key: string;
  /** An origin the operator allows (CORS). */
  allowedOrigin: string;
}

export interface EdgeCase {
  description: string;
  bytes: Buffer;
  /** Whether the key appears anywhere in the bytes: without it, no protected route may answer 2xx. */
  carriesKey: boolean;
}

/** After `head`, the rest arrives a byte every `everyMs` (until the server closes), or never, or the client hangs up. */
export type SlowTail = { kind: 'dribble'; bytes: Buffer; everyMs: number } | { kind: 'stall' } | { kind: 'hang-up'; afterMs: number };

export interface SlowCase extends EdgeCase {
  tail: SlowTail;
}

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

const hex = (code: number, rng: Rng): string => {
  const digits = code.toString(16).padStart(2, '0');
  return `%${rng.chance(0.5) ? digits.toUpperCase() : digits.toLowerCase()}`;
};

/** A concrete path for a route pattern, its parameters filled with plain or odd names. */
function concrete(url: string, rng: Rng): string {
  return url.replace(/:(\w+)/g, () => rng.pick(['x1', 'kokoro', 'af_heart', 'sensevoice', 'a'.repeat(rng.int(1, 300)), '..', '%2e%2e', '%2F', 'x%00y', '%C0%AE']));
}

/** Ways to rewrite one path: each is what some router, proxy or prefix check reads differently. */
const TARGET_MUTATIONS: { name: string; apply: (path: string, rng: Rng, context: EdgeContext) => string }[] = [
  { name: 'percent-one', apply: (p, rng) => encodeSome(p, rng, 0.15) },
  { name: 'percent-all', apply: (p, rng) => encodeSome(p, rng, 1) },
  { name: 'double-encoded', apply: (p, rng) => encodeSome(p, rng, 0.3).replace(/%/g, '%25') },
  { name: 'overlong-utf8', apply: (p, rng) => p.replace(/[/.v]/g, (c) => (rng.chance(0.3) ? rng.pick(OVERLONG[c]!) : c)) },
  { name: 'invalid-utf8', apply: (p, rng) => insertAt(p, rng, rng.pick(['%FF', '%C3%28', '%ED%A0%80', '%F8%88%80%80%80', '%E2%82', '%80', '%C0', '%'])) },
  { name: 'raw-high-bytes', apply: (p, rng) => insertAt(p, rng, String.fromCharCode(rng.int(0x80, 0xff))) },
  { name: 'mixed-case', apply: (p, rng) => [...p].map((c) => (rng.chance(0.5) ? c.toUpperCase() : c)).join('') },
  { name: 'dot-segments', apply: (p, rng) => dotSegments(p, rng) },
  { name: 'absolute-form', apply: (p, rng, c) => `${rng.pick(['http', 'HTTP', 'https', 'ws', 'file', 'x'])}://${rng.pick([`127.0.0.1:${c.port}`, 'evil.example', 'localhost', '[::1]', 'user:pass@127.0.0.1', ''])}${p}` },
  { name: 'asterisk', apply: () => '*' },
  { name: 'long-path', apply: (p, rng) => `${p}/${'a'.repeat(rng.pick([1000, 8000, 15000, 70000]))}` },
  { name: 'long-segment-inside', apply: (p, rng) => p.replace(/\/(\w+)$/, (_m, s: string) => `/${'%41'.repeat(rng.int(100, 4000))}${s}`) },
  { name: 'long-query', apply: (p, rng) => `${p}?${rng.pick(['q', 'a[]', 'api_key', 'model'])}=${'b'.repeat(rng.pick([100, 5000, 14000, 60000]))}` },
  { name: 'many-params', apply: (p, rng) => `${p}?${Array.from({ length: rng.int(100, 3000) }, (_, i) => `p${i}=${i}`).join('&')}` },
  { name: 'nul-control', apply: (p, rng) => insertAt(p, rng, rng.pick(['\0', '%00', '\x01', '\x7f', '\t', '\x0b', '\x0c', '\r', '%0d%0a', '%0a', '\x1b'])) },
  { name: 'backslashes', apply: (p, rng) => p.replace(/\//g, (s) => (rng.chance(0.5) ? rng.pick(['\\', '%5c', '%5C', '/\\']) : s)) },
  { name: 'slashes', apply: (p, rng) => p.replace(/\//g, (s) => (rng.chance(0.4) ? rng.pick(['//', '///', '%2f', '%2F', '/%2f']) : s)) },
  { name: 'suffix', apply: (p, rng) => p + rng.pick(['/', '?', '#', '#x', ';', ';jsessionid=1', '%20', ' ', '.', '..', '/.', '%3f', '?a=1&a=2', '?__proto__=1', '?constructor[prototype][x]=1']) },
  { name: 'no-leading-slash', apply: (p) => p.slice(1) },
  { name: 'empty', apply: () => '' },
  { name: 'api-key-in-query', apply: (p, _rng, c) => `${p}?api_key=${c.key}` },
];

const OVERLONG: Record<string, string[]> = {
  '/': ['%C0%AF', '%E0%80%AF', '%F0%80%80%AF', '%c0%2f'],
  '.': ['%C0%AE', '%E0%80%AE', '%c0%ae'],
  v: ['%C1%B6', '%E0%81%B6'],
};

function encodeSome(path: string, rng: Rng, share: number): string {
  return [...path].map((c) => (c !== '/' && rng.chance(share) ? hex(c.charCodeAt(0), rng) : c)).join('');
}

function insertAt(path: string, rng: Rng, piece: string): string {
  const at = rng.int(0, path.length);
  return path.slice(0, at) + piece + path.slice(at);
}

function dotSegments(path: string, rng: Rng): string {
  const segments = path.split('/');
  const at = rng.int(1, segments.length);
  const piece = rng.pick(['.', '..', 'x/..', '%2e', '%2e%2e', '.%2e', 'x/%2e%2e', 'v1/..', '..;', '.../', 'x/../..', '../../..']);
  segments.splice(at, 0, piece);
  return segments.join('/');
}

const METHODS = ['GET', 'POST', 'DELETE', 'PATCH', 'PUT', 'HEAD', 'OPTIONS', 'get', 'Post', 'TRACE', 'CONNECT', 'PROPFIND', 'FOO', 'G\0ET', ''];

function requestBytes(method: string, target: string, headers: readonly (readonly [string, string])[], body: Buffer | string = '', version = 'HTTP/1.1'): Buffer {
  const head = [`${method} ${target} ${version}`, ...headers.map(([name, value]) => `${name}: ${value}`)].join('\r\n');
  return Buffer.concat([bytes(`${head}\r\n\r\n`), typeof body === 'string' ? bytes(body) : body]);
}

/** A small body a route may see: empty, JSON it refuses, JSON it might half accept, or junk. */
function smallBody(rng: Rng): { body: string; type: string } {
  return rng.pick([
    { body: '', type: 'application/json' },
    { body: '{}', type: 'application/json' },
    { body: '{"model":"kokoro","input":"Hi.","voice":"af_heart"}', type: 'application/json' },
    { body: '{"name":"","audio":""}', type: 'application/json' },
    { body: '{"__proto__":{"x":1}}', type: 'application/json' },
    { body: 'null', type: 'application/json' },
    { body: '{"input":', type: 'application/json' },
    { body: 'a=1', type: 'application/x-www-form-urlencoded' },
    { body: '--b\r\nContent-Disposition: form-data; name="model"\r\n\r\nx\r\n--b--\r\n', type: 'multipart/form-data; boundary=b' },
    { body: 'hello', type: 'text/plain' },
    { body: '\0\xff\xfe', type: 'application/octet-stream' },
  ]);
}

/** How a case authenticates: mostly with the key (to reach handlers) or without one; some odd forms. */
function authorization(rng: Rng, key: string): [string, string][] {
  return rng.pick([
    [['Authorization', `Bearer ${key}`]],
    [['Authorization', `Bearer ${key}`]],
    [],
    [],
    [['Authorization', `bearer ${key}`]],
    [['Authorization', `Basic ${Buffer.from(`user:${key}`).toString('base64')}`]],
    [['Authorization', `Bearer ${key}x`]],
    [['Authorization', 'Bearer']],
    [['Authorization', 'Bearer ']],
    [['Authorization', `Token ${key}`]],
    [['Authorization', key]],
    [['Authorization', `Bearer\t${key}`]],
    [['Authorization', `Bearer ${key.slice(0, -1)}`]],
    [['Authorization', `Bearer ${key}`], ['Authorization', 'Bearer wrong']],
    [['Authorization', 'Bearer wrong'], ['Authorization', `Bearer ${key}`]],
    [['Authorization', `Digest username="${key}"`]],
    [['Authorization', 'Bearer \0']],
    [['xi-api-key', key]],
    [['xi-api-key', '']],
    [['Proxy-Authorization', `Bearer ${key}`]],
    [['Sec-WebSocket-Protocol', `openai-insecure-api-key.${key}`]],
  ]);
}

const carries = (request: Buffer, key: string): boolean => request.includes(key, 0, 'latin1');

/** A route from the table with its path rewritten one to three ways, sent with ordinary headers. */
export function targetCase(rng: Rng, context: EdgeContext): EdgeCase {
  const route = rng.pick(context.routes);
  let target = concrete(route.url, rng);
  const names: string[] = [];
  for (let i = rng.int(1, 3); i > 0; i -= 1) {
    const mutation = rng.pick(TARGET_MUTATIONS);
    names.push(mutation.name);
    target = mutation.apply(target, rng, context);
  }
  const method = rng.chance(0.85) ? route.method : rng.pick(METHODS);
  const { body, type } = smallBody(rng);
  const headers: [string, string][] = [['Host', `127.0.0.1:${context.port}`], ['Connection', 'close'], ['Content-Type', type], ['Content-Length', String(Buffer.byteLength(body, 'latin1'))], ...authorization(rng, context.key)];
  const request = requestBytes(method, target, headers, body);
  return { description: `${method} ${route.url} as ${names.join('+')}: ${JSON.stringify(target.slice(0, 160))}`, bytes: request, carriesKey: carries(request, context.key) };
}

type HeaderTrick = (rng: Rng, context: EdgeContext, body: string) => { headers: [string, string][]; body?: string; version?: string; note: string };

const length = (body: string) => String(Buffer.byteLength(body, 'latin1'));

const chunked = (body: string): string => (body ? `${body.length.toString(16)}\r\n${body}\r\n` : '') + '0\r\n\r\n';

/** Headers a parser, a proxy or an auth check may disagree on. */
const HEADER_TRICKS: HeaderTrick[] = [
  (rng, _c, body) => ({ headers: [['Content-Length', length(body)], ['Content-Length', length(body)]], note: 'duplicate equal Content-Length' }),
  (rng, _c, body) => ({ headers: [['Content-Length', length(body)], ['Content-Length', String(rng.int(0, 9))]], note: 'conflicting Content-Length' }),
  (rng, _c, body) => ({ headers: [['Content-Length', `${length(body)}, ${length(body)}`]], note: 'listed Content-Length' }),
  (rng, _c, body) => ({ headers: [['Content-Length', rng.pick(['-1', '+5', '0x10', '1e3', ' 5', '99999999999999999999', 'abc', '', '5 5', '\x0b5'])]], body: body.slice(0, 5), note: 'bad Content-Length' }),
  (rng, _c, body) => ({ headers: [['Transfer-Encoding', 'chunked']], body: chunked(body), note: 'chunked body' }),
  (rng, _c, body) => ({ headers: [['Transfer-Encoding', 'chunked'], ['Content-Length', length(body)]], body: chunked(body), note: 'chunked and Content-Length' }),
  (rng, _c, body) => ({ headers: [['Transfer-Encoding', rng.pick(['Chunked', ' chunked', 'chunked ', 'xchunked', 'chunked, identity', 'identity, chunked', 'gzip', 'gzip, chunked', 'chunked\x0b', 'chunk'])]], body: chunked(body), note: 'odd Transfer-Encoding' }),
  (rng, _c, body) => ({ headers: [['Transfer-Encoding', 'chunked'], ['Transfer-Encoding', 'identity']], body: chunked(body), note: 'two Transfer-Encodings' }),
  (rng, _c, body) => ({ headers: [['Transfer-Encoding', 'chunked']], body: rng.pick(['zz\r\nab\r\n0\r\n\r\n', '5\r\nab\r\n0\r\n\r\n', '-1\r\n\r\n', 'ffffffffffffffff\r\nab\r\n', '0;ext="x\r\n\r\n', `1\r\n${body.slice(0, 1)}\r\n0\r\nX-Trailer: 1\r\n\r\n`, '0\n\n', '2\r\n{}0\r\n\r\n']), note: 'broken chunks' }),
  (rng, _c, body) => ({ headers: [['Content-Length', length(body)], ...Array.from({ length: rng.pick([100, 500, 1000, 2500]) }, (_, i): [string, string] => [`X-H${i}`, 'v'])], body, note: 'many headers' }),
  (rng, _c, body) => ({ headers: [['Content-Length', length(body)], ['X-Big', 'a'.repeat(rng.pick([8000, 17000, 70000]))]], body, note: 'huge header' }),
  (rng, _c, body) => ({ headers: [['Content-Length', length(body)], ['Cookie', 'c=1; '.repeat(rng.int(100, 3000))]], body, note: 'huge cookie' }),
  (rng, _c, body) => ({ headers: [['Content-Length', length(body)], [rng.pick(['X Bad', 'X:Bad', '', 'X\0', '(x)', 'Ü']), 'v']], body, note: 'bad header name' }),
  (rng, _c, body) => ({ headers: [['Content-Length', length(body)], ['X-Val', rng.pick(['a\0b', 'a\rb', '\x7f', 'ü', '\xff\xfe', ' folded'])]], body, note: 'bad header value' }),
  (rng, _c, body) => ({ headers: [['Content-Length', length(body)], [' X-Folded', 'v']], body, note: 'obsolete line folding' }),
  (rng, c, body) => ({ headers: [['Content-Length', length(body)], ['Host', rng.pick(['', 'evil.example', 'evil.example:80', `127.0.0.1:${c.port}/x`, '127.0.0.1:abc', '[::1', '[::1]', 'localhost.', 'LOCALHOST', 'a'.repeat(5000), 'x y', '127.0.0.1@evil.example', '0x7f.1', '%31%32%37.0.0.1', '\0'])]], body, note: 'bad Host' }),
  (rng, c, body) => ({ headers: [['Content-Length', length(body)], ['Host', `127.0.0.1:${c.port}`], ['Host', 'evil.example']], body, note: 'two Hosts' }),
  (rng, _c, body) => ({ headers: [['Content-Length', length(body)]], body, note: 'no Host (HTTP/1.1)', version: 'HTTP/1.1' }),
  (rng, _c, body) => ({ headers: [['Content-Length', length(body)]], body, version: rng.pick(['HTTP/1.0', 'HTTP/0.9', 'HTTP/2.0', 'HTTP/1.2', 'http/1.1', 'HTTP/1.1 x', '']), note: 'other HTTP version' }),
  (rng, c, body) => ({ headers: [['Content-Length', length(body)], ['Origin', rng.pick(['https://evil.example', 'null', c.allowedOrigin, `http://127.0.0.1:${c.port}`, 'http://localhost', 'x', ''])], ['Sec-Fetch-Site', rng.pick(['cross-site', 'same-site', 'same-origin', 'none', 'CROSS-SITE'])]], body, note: 'Origin + Sec-Fetch-Site' }),
  (rng, c, body) => ({ headers: [['Content-Length', length(body)], ['Origin', 'https://evil.example'], ['Origin', c.allowedOrigin]], body, note: 'two Origins' }),
  (rng, c, body) => ({ headers: [['Access-Control-Request-Method', rng.pick(['POST', 'DELETE', 'GET'])], ['Origin', rng.pick(['https://evil.example', c.allowedOrigin])], ['Content-Length', length(body)]], body, note: 'preflight headers' }),
  (rng, _c, body) => ({ headers: [['Content-Length', length(body)], ['Upgrade', rng.pick(['h2c', 'foo', 'websocket2', 'TLS/1.0', 'HTTP/2.0', ''])], ['Connection', rng.pick(['Upgrade', 'upgrade, close', 'Upgrade, HTTP2-Settings'])], ['HTTP2-Settings', 'AAMAAABkAARAAAAAAAIAAAAA']], body, note: 'Upgrade without WebSocket' }),
  (rng, _c, body) => ({ headers: [['Content-Length', length(body)], ['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ...(rng.chance(0.5) ? [['Sec-WebSocket-Version', rng.pick(['13', '8', 'x'])] as [string, string]] : []), ...(rng.chance(0.5) ? [['Sec-WebSocket-Key', rng.pick(['dGhlIHNhbXBsZSBub25jZQ==', 'x', ''])] as [string, string]] : [])], body, note: 'partial WebSocket upgrade' }),
  (rng, _c, body) => ({ headers: [['Content-Length', length(body)], ['Expect', rng.pick(['100-continue', '200-ok', 'x'])]], body, note: 'Expect' }),
  (rng, _c, body) => ({ headers: [['Content-Length', length(body)], ['Content-Type', rng.pick(['application/json; charset=utf-16', 'application/json; charset=x', 'multipart/form-data', 'multipart/form-data; boundary=', `multipart/form-data; boundary=${'b'.repeat(300)}`, 'application/json, text/plain', '', '\0', 'application/*'])]], body, note: 'odd Content-Type' }),
  (rng, _c, body) => ({ headers: [['Content-Length', length(body)], ['Content-Encoding', rng.pick(['gzip', 'br', 'deflate', 'x'])]], body, note: 'Content-Encoding on a plain body' }),
  (rng, _c, body) => ({ headers: [['Content-Length', length(body)], ['X-Forwarded-For', '1.2.3.4'], ['X-Forwarded-Host', 'evil.example'], ['X-Original-URL', '/health'], ['X-Rewrite-URL', '/health'], ['X-HTTP-Method-Override', 'GET']], body, note: 'proxy override headers' }),
  (rng, _c, body) => ({ headers: [['Content-Length', length(body)], ['Connection', rng.pick(['keep-alive', 'close, close', 'Authorization', 'x'])]], body, note: 'Connection header' }),
];

/** A route from the table sent plainly, with one or two hostile header tricks. */
export function headerCase(rng: Rng, context: EdgeContext): EdgeCase {
  const route = rng.pick(context.routes);
  const target = concrete(route.url, rng);
  const { body, type } = smallBody(rng);
  const notes: string[] = [];
  let headers: [string, string][] = [];
  let finalBody = body;
  let version = 'HTTP/1.1';
  let host = true;
  for (let i = rng.int(1, 2); i > 0; i -= 1) {
    const trick = rng.pick(HEADER_TRICKS)(rng, context, body);
    notes.push(trick.note);
    headers = [...headers.filter(([name]) => !/^(content-length|transfer-encoding)$/i.test(name) || !trick.headers.some(([n]) => /^(content-length|transfer-encoding)$/i.test(n))), ...trick.headers];
    finalBody = trick.body ?? finalBody;
    version = trick.version ?? version;
    if (trick.headers.some(([name]) => name === 'Host') || trick.note.startsWith('no Host')) host = false;
  }
  const base: [string, string][] = [...(host ? [['Host', `127.0.0.1:${context.port}`] as [string, string]] : []), ['Connection', 'close'], ['Content-Type', type]];
  const request = requestBytes(route.method, target, [...base, ...headers, ...authorization(rng, context.key)], finalBody, version);
  return { description: `${route.method} ${route.url} with ${notes.join(' + ')}`, bytes: request, carriesKey: carries(request, context.key) };
}

/** A request whose headers or body arrive slowly, partly, or never finish. */
export function slowCase(rng: Rng, context: EdgeContext): SlowCase {
  const route = rng.pick(context.routes.filter((r) => r.method !== 'GET' || rng.chance(0.2)));
  const target = concrete(route.url, rng);
  const auth = authorization(rng, context.key);
  const declared = rng.pick([100, 10_000, 10_000_000]);
  const head = requestBytes(route.method, target, [['Host', `127.0.0.1:${context.port}`], ['Content-Type', rng.pick(['application/json', 'multipart/form-data; boundary=b'])], ['Content-Length', String(declared)], ...auth]);
  const shape = rng.int(0, 4);
  const carriesKey = carries(head, context.key);
  if (shape === 0) {
    // Headers that never end: cut at a random point, then a byte at a time.
    const cut = rng.int(5, head.length - 5);
    return { description: `${route.method} ${route.url}: headers dribbled from byte ${cut}`, bytes: head.subarray(0, cut), tail: { kind: 'dribble', bytes: Buffer.concat([head.subarray(cut, -4), bytes('X-Slow: ' + 'a'.repeat(200))]), everyMs: rng.int(100, 400) }, carriesKey };
  }
  if (shape === 1) return { description: `${route.method} ${route.url}: body of ${declared} dribbled`, bytes: Buffer.concat([head, bytes('{')]), tail: { kind: 'dribble', bytes: bytes('"a":"' + 'x'.repeat(500)), everyMs: rng.int(100, 400) }, carriesKey };
  if (shape === 2) return { description: `${route.method} ${route.url}: body of ${declared} stalls after ${Math.min(declared - 1, 50)} bytes`, bytes: Buffer.concat([head, bytes('x'.repeat(Math.min(declared - 1, 50)))]), tail: { kind: 'stall' }, carriesKey };
  if (shape === 3) return { description: `${route.method} ${route.url}: client hangs up mid-body`, bytes: Buffer.concat([head, bytes('{"model":')]), tail: { kind: 'hang-up', afterMs: rng.int(0, 300) }, carriesKey };
  const cut = rng.int(1, head.length - 1);
  return { description: `${route.method} ${route.url}: client hangs up mid-headers at byte ${cut}`, bytes: head.subarray(0, cut), tail: { kind: 'hang-up', afterMs: rng.int(0, 300) }, carriesKey };
}
