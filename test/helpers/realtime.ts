import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import OpenAI from 'openai';
import { OpenAIRealtimeWebSocket } from 'openai/realtime/websocket';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import type { RealtimeServerEvent } from 'openai/resources/realtime/realtime';
import { connect } from 'node:net';
import { WebSocket } from 'ws';
import { decodeAudio } from '../../src/audio/decode.js';
import { StreamResampler } from '../../src/audio/resample-stream.js';
import { sharedClip } from './audio.js';

// The SDK's browser client uses the global WebSocket, which Node 20 lacks: `ws` stands in for it.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

export function baseUrl(app: FastifyInstance): string {
  const { port } = app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}/v1`;
}

export type RealtimeClient = OpenAIRealtimeWebSocket | OpenAIRealtimeWS;

/**
 * The SDK's browser-style client (key in the `openai-insecure-api-key.` subprotocol). The SDK
 * always dials wss://; its `onURL` hook (the one Azure uses) points it at the plain test server.
 */
export function browserClient(app: FastifyInstance, apiKey: string, query: Record<string, string> = { intent: 'transcription', model: 'sensevoice' }): OpenAIRealtimeWebSocket {
  const client = new OpenAI({ apiKey, baseURL: baseUrl(app) });
  return new OpenAIRealtimeWebSocket(
    {
      model: 'unused',
      dangerouslyAllowBrowser: true,
      onURL: (url) => {
        url.protocol = 'ws:';
        url.search = new URLSearchParams(query).toString();
      },
    },
    client,
  );
}

/** The SDK's Node client (`Authorization: Bearer`), over plain TCP: its `createConnection` option skips TLS to the test server. */
export function nodeClient(app: FastifyInstance, apiKey: string, model: string): OpenAIRealtimeWS {
  const client = new OpenAI({ apiKey, baseURL: baseUrl(app) });
  const { port } = app.server.address() as AddressInfo;
  return new OpenAIRealtimeWS({ model, options: { createConnection: () => connect(port, '127.0.0.1') } }, client);
}

/** Collects every server event a client receives, and waits for particular ones. */
export class EventLog {
  readonly events: RealtimeServerEvent[] = [];
  private waiters: { match: (e: RealtimeServerEvent) => boolean; resolve: (e: RealtimeServerEvent) => void }[] = [];

  constructor(readonly client: RealtimeClient) {
    client.on('event', (event) => {
      this.events.push(event);
      this.waiters = this.waiters.filter((w) => (w.match(event) ? (w.resolve(event), false) : true));
    });
    // Error events are part of what is asserted; without a listener the SDK would reject unhandled.
    client.on('error', () => {});
  }

  of<T extends RealtimeServerEvent['type']>(type: T): Extract<RealtimeServerEvent, { type: T }>[] {
    return this.events.filter((e) => e.type === type) as Extract<RealtimeServerEvent, { type: T }>[];
  }

  /** The first event of `type` (already received or still to come) that satisfies `match`. */
  next<T extends RealtimeServerEvent['type']>(type: T, match: (e: Extract<RealtimeServerEvent, { type: T }>) => boolean = () => true, timeoutMs = 20_000): Promise<Extract<RealtimeServerEvent, { type: T }>> {
    const test = (e: RealtimeServerEvent) => e.type === type && match(e as Extract<RealtimeServerEvent, { type: T }>);
    const seen = this.events.find(test);
    if (seen) return Promise.resolve(seen as Extract<RealtimeServerEvent, { type: T }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} event within ${timeoutMs} ms; got: ${this.events.map((e) => e.type).join(', ')}`)), timeoutMs);
      this.waiters.push({ match: test, resolve: (e) => (clearTimeout(timer), resolve(e as Extract<RealtimeServerEvent, { type: T }>)) });
    });
  }
}

/** The `ws` socket under either SDK client. */
export const rawSocket = (client: RealtimeClient): WebSocket => client.socket as unknown as WebSocket;

export async function opened(client: RealtimeClient): Promise<void> {
  const socket = rawSocket(client);
  if (socket.readyState === WebSocket.OPEN) return;
  await once(socket, 'open');
}

export async function closed(client: RealtimeClient): Promise<{ code: number; reason: string }> {
  const socket = rawSocket(client);
  if (socket.readyState === WebSocket.CLOSED) throw new Error('already closed');
  const [code, reason] = (await once(socket, 'close')) as [number, Buffer | string];
  return { code, reason: reason.toString() };
}

/** A real clip as 24 kHz 16-bit PCM (OpenAI's `audio/pcm`), with seconds of silence before and after. */
export async function speechPcm24k(name = 'spk1_snt1.wav', silenceBefore = 0.5, silenceAfter = 1.5): Promise<Buffer> {
  const clip = await decodeAudio(sharedClip(name));
  const resampler = new StreamResampler(clip.sampleRate, 24000);
  const speech = Float32Array.from([...resampler.push(clip.samples), ...resampler.flush()]);
  const samples = new Float32Array(Math.round((silenceBefore + silenceAfter) * 24000) + speech.length);
  samples.set(speech, Math.round(silenceBefore * 24000));
  const bytes = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => bytes.writeInt16LE(Math.round(Math.max(-1, Math.min(1, s)) * 32767), i * 2));
  return bytes;
}

/** Sends PCM in 100 ms appends, as fast as the socket takes them. */
export function appendAll(client: RealtimeClient, pcm: Buffer, chunkBytes = 4800): void {
  for (let at = 0; at < pcm.length; at += chunkBytes) {
    client.send({ type: 'input_audio_buffer.append', audio: pcm.subarray(at, at + chunkBytes).toString('base64') });
  }
}

/** Opens a WebSocket that the server is expected to refuse before the upgrade: its HTTP status and body. */
export function refusedUpgrade(url: string, options: { headers?: Record<string, string>; protocols?: string[] } = {}): Promise<{ status: number; body: string }> {
  const socket = new WebSocket(url, options.protocols ?? [], { headers: options.headers });
  return new Promise((resolve, reject) => {
    socket.once('open', () => reject(new Error(`${url} was upgraded`)));
    socket.once('unexpected-response', (request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk));
      response.on('end', () => {
        request.destroy();
        resolve({ status: response.statusCode!, body });
      });
    });
  });
}
