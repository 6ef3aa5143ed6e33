import { randomUUID } from 'node:crypto';
import { StreamResampler } from '../audio/resample-stream.js';
import type { InstalledSttModel } from '../engine/discovery.js';
import { requireLanguage } from '../engine/language.js';
import type { ModelPool } from '../engine/model-pool.js';
import type { RecognitionOptions } from '../engine/stt-family.js';
import { VocableError, InvalidRequestError, type ErrorCode } from '../errors.js';
import { STT_SAMPLE_RATE, type VadSettings } from '../audio/speech-segments.js';
import { recognize } from '../transcription/transcribe.js';
import { AudioTimeline } from './audio-timeline.js';
import { bytesPerSecond, decodeInputAudio, formatRate, type InputAudioFormat } from './input-audio.js';
import type { SessionLimits } from './session-limits.js';
import { StablePrefix } from './stable-prefix.js';
import { CLIENT_EVENT_TYPES, clientEventSchema, type ClientEvent, type RealtimeErrorBody, type ServerEvent, type ServerVad, type SessionUpdate, type TranscriptionSessionConfig } from './transcription-events.js';
import { TurnDetector } from './turn-detector.js';

/** What a live session talks through: a WebSocket in the server, anything in tests. */
export interface LiveSocket {
  send(message: string): void;
  close(code: number, reason: string): void;
}

/** WebSocket close codes (RFC 6455 §7.4.1). */
export const CLOSE = { normal: 1000, policy: 1008, internal: 1011, tryAgainLater: 1013 } as const;

export interface TranscriptionSessionOptions {
  pool: ModelPool;
  /** The Silero VAD model; without one, turn detection is off and the client commits. */
  vadModel: () => string | undefined;
  limits: SessionLimits;
  /** How often the open turn is re-decoded for deltas. */
  deltaIntervalMs: number;
  /** A session with no client event this long is closed. */
  idleTimeoutMs: number;
  /** Audio a client may send ahead of the wall clock before it is told to slow down. */
  burstSeconds: number;
  /** The model named in the URL (`?model=`), when it is a speech-to-text model. */
  model?: string;
}

const DEFAULT_VAD: ServerVad = { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500 };
/** Bad events in a row after which the session is closed: a client that keeps erring is not listening. */
const MAX_STRIKES = 5;
/** The open turn must hold this much audio before it is worth a partial decode. */
const MIN_PARTIAL_SECONDS = 0.5;
/** A manual commit with less audio than this is refused, as OpenAI refuses it. */
const MIN_COMMIT_SECONDS = 0.1;
/** Events the client has not read, past which it is closed rather than buffered for. */
const MAX_UNREAD_EVENTS = 1000;

const samplesToMs = (samples: number): number => Math.round((samples * 1000) / STT_SAMPLE_RATE);
const newId = (prefix: string): string => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 20)}`;

interface OpenTurn {
  itemId: string;
  start: number;
  prefix: StablePrefix;
  /** Timeline end at the last partial decode, so an unchanged turn is not decoded again. */
  decodedTo: number;
  /** The text of the last partial decode, which covered the turn up to `upTo`. */
  latest?: { upTo: number; text: Promise<string> };
}

interface Final {
  itemId: string;
  samples: Float32Array;
  prefix: StablePrefix;
  /** A partial decode that already covered all of the turn: its text is the final text, with no second decode. */
  reuse?: Promise<string>;
}

/** A client event the session refuses: sent back as an `error` event. */
const eventError = (message: string, code: ErrorCode, param: string | null = null) => new VocableError(code, message, param);

/**
 * One OpenAI Realtime transcription session: audio in (`input_audio_buffer.append`), turns found
 * by Silero VAD or committed by the client, words out as deltas while a turn is open (the turn
 * re-decoded at a steady interval, one decode in flight at most) and the final text when it ends.
 */
export class TranscriptionSession {
  private config!: TranscriptionSessionConfig;
  private model!: InstalledSttModel;
  private resampler!: StreamResampler;
  private detector?: TurnDetector;
  private readonly timeline = new AudioTimeline();
  private turn?: OpenTurn;
  private previousItemId: string | null = null;
  private readonly finals: Final[] = [];
  private decoding = false;
  private closed = false;
  private strikes = 0;
  private firstAudioAt?: number;
  private receivedSeconds = 0;
  private unread = 0;
  private idleTimer?: NodeJS.Timeout;
  private deltaTimer?: NodeJS.Timeout;

  constructor(private readonly socket: LiveSocket, private readonly options: TranscriptionSessionOptions) {}

  /** Sends `session.created`, or closes at once when no model can serve the session. */
  start(): void {
    try {
      const model = this.options.model ?? this.options.pool.list().find((m) => m.task === 'stt')?.id;
      if (!model) throw new InvalidRequestError('No speech-to-text model is installed; pull one (vocable pull) before opening a transcription session.', 'model', 'model_not_found');
      this.model = this.options.pool.getStt(model);
      this.options.limits.acquire(this.model.id, 'transcription');
    } catch (error) {
      this.fail(error, null, error instanceof VocableError && error.status === 503 ? CLOSE.tryAgainLater : CLOSE.policy);
      return;
    }
    const vad = this.options.vadModel() ? DEFAULT_VAD : null;
    this.config = {
      type: 'transcription',
      audio: { input: { format: { type: 'audio/pcm', rate: 24000 }, transcription: { model: this.model.id, language: null, prompt: '' }, turn_detection: vad, noise_reduction: null } },
      include: [],
    };
    this.resampler = new StreamResampler(formatRate(this.config.audio.input.format), STT_SAMPLE_RATE);
    this.configureDetector();
    this.emit({ type: 'session.created', session: this.config });
    this.touch();
    this.deltaTimer = setInterval(() => this.pump(true), this.options.deltaIntervalMs);
  }

  /** One WebSocket message from the client. */
  receive(data: string, isBinary: boolean): void {
    if (this.closed) return;
    this.touch();
    let eventId: string | null = null;
    try {
      const json = this.parseJson(data, isBinary);
      const id = (json as { event_id?: unknown } | null)?.event_id;
      eventId = typeof id === 'string' ? id : null;
      this.handle(this.parse(json));
      this.strikes = 0;
    } catch (error) {
      this.strike(error, eventId);
    }
  }

  /** The socket closed: stop all work for it now. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idleTimer);
    clearInterval(this.deltaTimer);
    this.detector?.release();
    this.finals.length = 0;
    if (this.model) this.options.limits.release(this.model.id);
  }

  /** The client read `count` events (the server's send completed); used to spot a client that stopped reading. */
  delivered(): void {
    this.unread = Math.max(0, this.unread - 1);
  }

  private parseJson(data: string, isBinary: boolean): unknown {
    if (isBinary) throw eventError('Binary messages are not understood: send JSON text events, with audio base64-encoded in input_audio_buffer.append.', 'invalid_event');
    try {
      return JSON.parse(data);
    } catch {
      throw eventError('The message is not valid JSON: send one JSON event object per message.', 'invalid_json');
    }
  }

  private parse(json: unknown): ClientEvent {
    const type = (json as { type?: unknown } | null)?.type;
    if (typeof type !== 'string' || !CLIENT_EVENT_TYPES.includes(type)) {
      throw eventError(`Unknown event type ${JSON.stringify(type)}: a transcription session takes ${CLIENT_EVENT_TYPES.join(', ')}.`, 'invalid_event', 'type');
    }
    const parsed = clientEventSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw eventError(issue.message, 'invalid_value', issue.path.join('.'));
    }
    return parsed.data;
  }

  private handle(event: ClientEvent): void {
    switch (event.type) {
      case 'session.update':
        return this.update(event.session);
      case 'input_audio_buffer.append':
        return this.append(event.audio);
      case 'input_audio_buffer.commit':
        return this.commit();
      case 'input_audio_buffer.clear':
        return this.clear();
    }
  }

  private update(session: SessionUpdate): void {
    const input = session.audio?.input;
    const next = structuredClone(this.config);
    const target = next.audio.input;
    if (input?.format) target.format = input.format.type === 'audio/pcm' ? { type: 'audio/pcm', rate: 24000 } : { type: input.format.type };
    if (input?.turn_detection === null) target.turn_detection = null;
    else if (input?.turn_detection) {
      if (!this.options.vadModel()) {
        throw eventError('server_vad needs the Silero VAD model, which is not installed (vocable pull silero-vad); send turn_detection: null and commit turns yourself.', 'vad_unavailable', 'session.audio.input.turn_detection');
      }
      target.turn_detection = { ...(target.turn_detection ?? DEFAULT_VAD), ...input.turn_detection };
    }
    const transcription = input?.transcription;
    if (transcription?.model !== undefined) target.transcription.model = transcription.model;
    if (transcription?.language !== undefined) target.transcription.language = transcription.language;
    if (transcription?.prompt !== undefined) target.transcription.prompt = transcription.prompt;

    const model = this.sttModel(target.transcription.model);
    target.transcription.language = this.checkLanguage(model, target.transcription.language);
    if (model.id !== this.model.id) {
      this.options.limits.acquire(model.id, 'transcription');
      this.options.limits.release(this.model.id);
      this.model = model;
    }
    const formatChanged = JSON.stringify(next.audio.input.format) !== JSON.stringify(this.config.audio.input.format);
    const vadChanged = JSON.stringify(next.audio.input.turn_detection) !== JSON.stringify(this.config.audio.input.turn_detection);
    this.config = next;
    if (formatChanged) this.resampler = new StreamResampler(formatRate(target.format), STT_SAMPLE_RATE);
    if (vadChanged) this.configureDetector();
    this.emit({ type: 'session.updated', session: this.config });
  }

  /** The pool's model errors, pointed at the session field that named the model. */
  private sttModel(id: string): InstalledSttModel {
    try {
      return this.options.pool.getStt(id);
    } catch (error) {
      if (!(error instanceof VocableError)) throw error;
      throw new VocableError(error.code, error.message, 'session.audio.input.transcription.model');
    }
  }

  private checkLanguage(model: InstalledSttModel, language: string | null): string | null {
    const known = model.capabilities.languages;
    if (language === null || known.length === 0) return language;
    return requireLanguage(language, known, model.id, 'session.audio.input.transcription.language');
  }

  /** A new detector for the session's turn settings; an open turn is abandoned with the old one. */
  private configureDetector(): void {
    this.detector?.release();
    this.detector = undefined;
    this.turn = undefined;
    const vad = this.config.audio.input.turn_detection;
    const model = this.options.vadModel();
    if (!vad || !model) return;
    const settings: VadSettings = { model, maxSeconds: this.model.capabilities.max_segment_seconds, threshold: vad.threshold, minSilenceSeconds: vad.silence_duration_ms / 1000 };
    this.detector = new TurnDetector(settings, this.timeline.end);
  }

  private append(base64: string): void {
    const bytes = decodeBase64(base64);
    const format = this.config.audio.input.format;
    const seconds = bytes.length / bytesPerSecond(format);
    this.checkPace(seconds);
    const samples = this.resampler.push(decodeInputAudio(bytes, format));
    this.receivedSeconds += seconds;
    if (!this.detector) this.appendManual(samples);
    else this.appendDetected(samples);
  }

  /** Refuses audio that runs ahead of the wall clock by more than the burst allowance. */
  private checkPace(seconds: number): void {
    const now = performance.now();
    this.firstAudioAt ??= now;
    const allowed = (now - this.firstAudioAt) / 1000 + this.options.burstSeconds;
    if (this.receivedSeconds + seconds > allowed) {
      throw eventError(
        `Audio is arriving faster than real time (${this.receivedSeconds.toFixed(1)} s of audio in ${((now - this.firstAudioAt) / 1000).toFixed(1)} s); this chunk was dropped. Send audio as it is captured.`,
        'audio_too_fast',
        'audio',
      );
    }
  }

  private appendManual(samples: Float32Array): void {
    const maxSamples = this.model.capabilities.max_segment_seconds * STT_SAMPLE_RATE;
    const buffered = this.timeline.end - this.timeline.start;
    if (buffered + samples.length > maxSamples) {
      throw eventError(`The input audio buffer holds ${this.model.capabilities.max_segment_seconds} s, the most model '${this.model.id}' takes at once; commit it or clear it. This chunk was dropped.`, 'input_audio_buffer_full');
    }
    if (!this.turn) this.turn = { itemId: newId('item'), start: this.timeline.end, prefix: new StablePrefix(), decodedTo: this.timeline.end };
    this.timeline.append(samples);
  }

  private appendDetected(samples: Float32Array): void {
    this.timeline.append(samples);
    const vad = this.config.audio.input.turn_detection!;
    const padding = Math.round((vad.prefix_padding_ms / 1000) * STT_SAMPLE_RATE);
    for (const event of this.detector!.push(samples)) {
      if (event.kind === 'started') {
        const start = Math.max(this.timeline.start, event.start - padding);
        this.turn = { itemId: newId('item'), start, prefix: new StablePrefix(), decodedTo: start };
        this.emit({ type: 'input_audio_buffer.speech_started', audio_start_ms: samplesToMs(start), item_id: this.turn.itemId });
      } else if (this.turn) {
        this.emit({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: samplesToMs(this.timeline.end), item_id: this.turn.itemId });
        this.finishTurn(event.end);
      }
    }
    // Between turns only the padding a next turn may start with is kept.
    if (!this.turn) this.timeline.dropBefore(this.timeline.end - padding - 2 * STT_SAMPLE_RATE);
  }

  private commit(): void {
    const turn = this.turn;
    if (!turn || this.timeline.end - turn.start < MIN_COMMIT_SECONDS * STT_SAMPLE_RATE) {
      throw eventError(`Error committing input audio buffer: buffer too small. Expected at least ${MIN_COMMIT_SECONDS * 1000}ms of audio${this.detector ? ' in an open turn' : ''}.`, 'input_audio_buffer_commit_empty');
    }
    this.finishTurn(this.timeline.end);
    if (this.detector) this.detector.reset(this.timeline.end);
  }

  /** Ends the open turn at `end`: committed, and its final decode queued. */
  private finishTurn(end: number): void {
    const turn = this.turn!;
    this.turn = undefined;
    const samples = this.timeline.slice(turn.start, end);
    this.timeline.dropBefore(end);
    this.emit({ type: 'input_audio_buffer.committed', item_id: turn.itemId, previous_item_id: this.previousItemId });
    this.previousItemId = turn.itemId;
    const reuse = turn.latest && turn.latest.upTo >= end ? turn.latest.text : undefined;
    this.finals.push({ itemId: turn.itemId, samples, prefix: turn.prefix, reuse });
    this.pump();
  }

  private clear(): void {
    this.turn = undefined;
    this.timeline.clear();
    this.detector?.reset(this.timeline.end);
    this.emit({ type: 'input_audio_buffer.cleared' });
  }

  /** Starts the next decode if none is in flight: a turn's final text first, else (when due) a partial. */
  private pump(partialDue = false): void {
    if (this.decoding || this.closed) return;
    const final = this.finals.shift();
    if (final) {
      this.decoding = true;
      void this.decodeFinal(final).finally(() => {
        this.decoding = false;
        this.pump();
      });
      return;
    }
    const turn = this.turn;
    if (!partialDue || !turn || this.timeline.end === turn.decodedTo || this.timeline.end - turn.start < MIN_PARTIAL_SECONDS * STT_SAMPLE_RATE) return;
    turn.decodedTo = this.timeline.end;
    this.decoding = true;
    const text = this.recognizeText(this.timeline.slice(turn.start));
    turn.latest = { upTo: turn.decodedTo, text };
    void this.decodePartial(turn, text).finally(() => {
      this.decoding = false;
      this.pump();
    });
  }

  private recognitionOptions(): RecognitionOptions {
    const language = this.config.audio.input.transcription.language;
    return language ? { task: 'transcribe', language } : { task: 'transcribe' };
  }

  private async recognizeText(samples: Float32Array): Promise<string> {
    return (await recognize(this.options.pool, this.model, this.recognitionOptions(), samples)).text;
  }

  private async decodePartial(turn: OpenTurn, pending: Promise<string>): Promise<void> {
    try {
      const text = await pending;
      if (this.closed || this.turn !== turn) return;
      const delta = turn.prefix.partial(text);
      if (delta) this.emit({ type: 'conversation.item.input_audio_transcription.delta', item_id: turn.itemId, content_index: 0, delta });
    } catch {
      // A partial is a preview: a busy or failing model only delays the next one; the final reports errors.
    }
  }

  private async decodeFinal(final: Final): Promise<void> {
    try {
      const text = final.reuse ? await final.reuse.catch(() => this.recognizeText(final.samples)) : await this.recognizeText(final.samples);
      if (this.closed) return;
      const rest = final.prefix.final(text);
      if (rest) this.emit({ type: 'conversation.item.input_audio_transcription.delta', item_id: final.itemId, content_index: 0, delta: rest });
      this.emit({
        type: 'conversation.item.input_audio_transcription.completed',
        item_id: final.itemId,
        content_index: 0,
        transcript: text.trim(),
        usage: { type: 'duration', seconds: Math.round((final.samples.length / STT_SAMPLE_RATE) * 1000) / 1000 },
      });
    } catch (error) {
      if (this.closed) return;
      const { message, type, code, param } = errorBody(error, null);
      this.emit({ type: 'conversation.item.input_audio_transcription.failed', item_id: final.itemId, content_index: 0, error: { message, type, code, param } });
    }
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      const seconds = Math.round(this.options.idleTimeoutMs / 1000);
      this.emit({ type: 'error', error: { type: 'invalid_request_error', code: 'session_idle_timeout', message: `No event for ${seconds} s: the session was closed.`, param: null, event_id: null } });
      this.close(CLOSE.normal, `idle for ${seconds} s`);
    }, this.options.idleTimeoutMs);
  }

  private strike(error: unknown, eventId: string | null): void {
    this.strikes += 1;
    this.emit({ type: 'error', error: errorBody(error, eventId) });
    if (this.strikes >= MAX_STRIKES) this.close(CLOSE.policy, `${MAX_STRIKES} bad events in a row; last: ${errorBody(error, null).code}`);
  }

  private fail(error: unknown, eventId: string | null, code: number): void {
    const body = errorBody(error, eventId);
    this.emit({ type: 'error', error: body });
    this.close(code, body.message);
  }

  private emit(event: ServerEvent): void {
    if (this.closed) return;
    if (this.unread >= MAX_UNREAD_EVENTS) {
      this.close(CLOSE.policy, 'client is not reading events');
      return;
    }
    this.unread += 1;
    this.socket.send(JSON.stringify({ event_id: newId('event'), ...event }));
  }

  private close(code: number, reason: string): void {
    if (this.closed) return;
    this.end();
    this.socket.close(code, closeReason(reason));
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBase64(text: string): Buffer {
  if (text.length % 4 !== 0 || !BASE64.test(text)) throw eventError('audio is not valid base64.', 'invalid_value', 'audio');
  return Buffer.from(text, 'base64');
}

function errorBody(error: unknown, eventId: string | null): RealtimeErrorBody {
  if (error instanceof VocableError) return { type: error.type, code: error.code, message: error.message, param: error.param, event_id: eventId };
  return { type: 'server_error', code: 'internal_error', message: 'Internal server error; the server log has the details.', param: null, event_id: eventId };
}

/** Close reasons are at most 123 bytes (RFC 6455 §5.5). */
function closeReason(reason: string): string {
  const bytes = Buffer.from(reason);
  return bytes.length <= 123 ? reason : bytes.subarray(0, 120).toString().replace(/\uFFFD$/, '') + '...';
}
