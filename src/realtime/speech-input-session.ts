import { setTimeout as sleep } from 'node:timers/promises';
import type { StreamEncoder } from '../audio/encode/index.js';
import type { ModelPool } from '../engine/model-pool.js';
import { VocableError, InvalidRequestError, type ErrorCode } from '../errors.js';
import { generateSpeech } from '../speech/generate-speech.js';
import type { SpeechPlan } from '../speech/plan-speech.js';
import { completeClauses, splitText } from '../speech/text-chunks.js';
import { createOutputEncoder, type OutputSpec } from './output-formats.js';
import type { SessionLimits } from './session-limits.js';
import { CLOSE } from './transcription-session.js';

/** A WebSocket as the session needs it: sends, closes, and how much it has not yet written out. */
export interface AudioSocket {
  send(message: string): void;
  close(code: number, reason: string): void;
  readonly bufferedAmount: number;
}

export interface SpeechInputSettings {
  /** The plan for the voice and model, made (and checked) before the upgrade; its text is replaced clause by clause. */
  plan: SpeechPlan;
  output: OutputSpec;
  /** Send character timings with each clause's audio (ElevenLabs' `sync_alignment`). */
  alignment: boolean;
  inactivityMs: number;
  /** Text waiting to be spoken, past which more is refused. */
  maxPendingChars: number;
  /** Longest text handed to the engine at once. */
  maxChunkChars: number;
  pool: ModelPool;
  limits: SessionLimits;
}

/** Unsent bytes past which sending waits for the client to read; waiting this long closes the session. */
const HIGH_WATER_BYTES = 1024 * 1024;
const STALLED_READER_MS = 30_000;
const MAX_STRIKES = 5;

interface Alignment {
  chars: string[];
  charStartTimesMs: number[];
  charsDurationsMs: number[];
}

/** ElevenLabs' message shapes (text-to-speech WebSocket, `stream-input`). */
interface TextMessage {
  text: string;
  flush?: boolean;
  voice_settings?: { speed?: number };
}

const clientError = (message: string, code: ErrorCode = 'invalid_value', param: string | null = null) => new InvalidRequestError(message, param, code);

function parseMessage(data: string, isBinary: boolean): TextMessage {
  if (isBinary) throw clientError('Binary messages are not understood: send JSON messages like {"text": "Hello "}.', 'invalid_event');
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    throw clientError('The message is not valid JSON: send {"text": "..."} messages.', 'invalid_json');
  }
  const message = json as Partial<TextMessage> | null;
  if (typeof message !== 'object' || message === null || typeof message.text !== 'string') {
    throw clientError('Every message needs "text": " " to start, words to speak, or "" to finish.', 'invalid_value', 'text');
  }
  if (message.flush !== undefined && typeof message.flush !== 'boolean') throw clientError('flush must be true or false.', 'invalid_type', 'flush');
  const speed = message.voice_settings?.speed;
  if (speed !== undefined && (typeof speed !== 'number' || speed < 0.25 || speed > 4)) throw clientError('voice_settings.speed must be a number between 0.25 and 4.', 'invalid_value', 'voice_settings.speed');
  return message as TextMessage;
}

/** Character times spread evenly over a clause's audio: the engine reports none, so these are estimates. */
function estimateAlignment(text: string, durationMs: number): Alignment {
  const chars = [...text];
  const each = chars.length > 0 ? durationMs / chars.length : 0;
  return { chars, charStartTimesMs: chars.map((_, i) => Math.round(i * each)), charsDurationsMs: chars.map(() => Math.round(each)) };
}

/**
 * One ElevenLabs input-streaming session: text arrives in pieces, each clause is spoken as soon
 * as it is complete (or on `flush`), in order, and the audio goes back as base64 chunks; `""`
 * speaks what is left, sends `isFinal` and closes. A closed socket stops generation at once.
 */
export class SpeechInputSession {
  private buffer = '';
  private readonly queue: string[] = [];
  private speaking = false;
  private finishing = false;
  private closed = false;
  private strikes = 0;
  private speed: number;
  private readonly stop = new AbortController();
  private readonly encoder: StreamEncoder;
  private inactivity?: NodeJS.Timeout;

  constructor(private readonly socket: AudioSocket, private readonly settings: SpeechInputSettings) {
    this.speed = settings.plan.settings.speed;
    this.encoder = createOutputEncoder(settings.output);
  }

  start(): void {
    try {
      this.settings.limits.acquire(this.settings.plan.model.id, 'text-to-speech');
    } catch (error) {
      this.fail(error);
      return;
    }
    this.touch();
  }

  receive(data: string, isBinary: boolean): void {
    if (this.closed) return;
    this.touch();
    try {
      if (this.finishing) throw clientError('The session is finishing (it got "text": ""); open a new one for more text.', 'invalid_event');
      this.take(parseMessage(data, isBinary));
      this.strikes = 0;
    } catch (error) {
      this.strikes += 1;
      this.sendError(error);
      if (this.strikes >= MAX_STRIKES) this.close(CLOSE.policy, `${MAX_STRIKES} bad messages in a row`);
    }
  }

  /** The socket closed: generation stops now, and its place is given back. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.inactivity);
    this.stop.abort();
    this.encoder.abort();
    this.settings.limits.release(this.settings.plan.model.id);
  }

  private take(message: TextMessage): void {
    const speed = message.voice_settings?.speed;
    if (speed !== undefined && speed !== this.speed) {
      if (!this.settings.plan.model.capabilities.speed) {
        throw clientError(`Model '${this.settings.plan.model.id}' cannot change its speed; omit voice_settings.speed or send 1.0.`, 'unsupported_control', 'voice_settings.speed');
      }
      this.speed = speed;
    }
    if (message.text === '') {
      this.finishing = true;
      this.queueText(this.buffer, true);
    } else {
      const pending = this.buffer.length + this.queue.reduce((n, c) => n + c.length, 0) + message.text.length;
      if (pending > this.settings.maxPendingChars) {
        throw clientError(`More than ${this.settings.maxPendingChars} characters would be waiting to be spoken; wait for audio before sending more. This text was dropped.`, 'invalid_value', 'text');
      }
      this.queueText(this.buffer + message.text, message.flush === true);
    }
    this.pump();
  }

  /** Moves the complete clauses of `text` (all of it when flushing) to the queue; the rest waits. */
  private queueText(text: string, flush: boolean): void {
    const { clauses, rest } = completeClauses(text);
    this.queue.push(...clauses);
    const tail = rest.replace(/\s+/g, ' ').trim();
    if (flush && tail) this.queue.push(tail);
    this.buffer = flush ? '' : rest;
  }

  private pump(): void {
    if (this.speaking || this.closed) return;
    const clause = this.queue.shift();
    if (clause === undefined) {
      if (this.finishing) void this.finish();
      return;
    }
    this.speaking = true;
    void this.speak(clause).then(
      () => {
        this.speaking = false;
        this.pump();
      },
      (error: unknown) => {
        this.speaking = false;
        if (!this.closed) this.fail(error);
      },
    );
  }

  private async speak(clause: string): Promise<void> {
    const { plan } = this.settings;
    const clausePlan: SpeechPlan = { ...plan, settings: { ...plan.settings, speed: this.speed }, chunks: splitText(clause, this.settings.maxChunkChars), inputChars: clause.length };
    const audio = generateSpeech(clausePlan, this.settings.pool, this.stop.signal);
    if (!this.settings.alignment) {
      for await (const samples of audio) await this.sendAudio(await this.encoder.write(samples));
      return;
    }
    // With alignment, a clause's audio goes in one message, once its length (and so its timings) is known.
    const parts: Buffer[] = [];
    let samples = 0;
    for await (const chunk of audio) {
      samples += chunk.length;
      parts.push(await this.encoder.write(chunk));
    }
    const alignment = estimateAlignment(clause, (samples / plan.outputRate) * 1000);
    await this.sendAudio(Buffer.concat(parts), alignment);
  }

  private async sendAudio(bytes: Buffer, alignment?: Alignment): Promise<void> {
    if (this.closed || (bytes.length === 0 && !alignment)) return;
    await this.waitForReader();
    if (this.closed) return;
    this.socket.send(JSON.stringify({ audio: bytes.toString('base64'), isFinal: false, ...(alignment ? { normalizedAlignment: alignment, alignment } : {}) }));
  }

  /** A client that reads slower than audio is made waits; one that stops reading is closed, not buffered for. */
  private async waitForReader(): Promise<void> {
    const started = performance.now();
    while (!this.closed && this.socket.bufferedAmount > HIGH_WATER_BYTES) {
      if (performance.now() - started > STALLED_READER_MS) {
        this.close(CLOSE.policy, `client stopped reading audio for ${STALLED_READER_MS / 1000} s`);
        return;
      }
      await sleep(20);
    }
  }

  private async finish(): Promise<void> {
    const last = await this.encoder.end();
    await this.sendAudio(last);
    if (this.closed) return;
    this.socket.send(JSON.stringify({ audio: null, isFinal: true }));
    this.close(CLOSE.normal, 'done');
  }

  private touch(): void {
    clearTimeout(this.inactivity);
    this.inactivity = setTimeout(() => {
      if (this.speaking || this.queue.length > 0) return this.touch();
      this.close(CLOSE.normal, `no text for ${Math.round(this.settings.inactivityMs / 1000)} s (inactivity_timeout)`);
    }, this.settings.inactivityMs);
  }

  private sendError(error: unknown): void {
    if (this.closed) return;
    const body = error instanceof VocableError ? error.toBody() : { error: { message: 'Internal server error; the server log has the details.', type: 'server_error', param: null, code: 'internal_error' } };
    this.socket.send(JSON.stringify(body));
  }

  private fail(error: unknown): void {
    this.sendError(error);
    const status = error instanceof VocableError ? error.status : 500;
    const code = status === 503 ? CLOSE.tryAgainLater : status >= 500 ? CLOSE.internal : CLOSE.policy;
    this.close(code, error instanceof Error ? error.message.slice(0, 100) : 'error');
  }

  private close(code: number, reason: string): void {
    if (this.closed) return;
    this.end();
    this.socket.close(code, Buffer.byteLength(reason) <= 123 ? reason : reason.slice(0, 60));
  }
}
