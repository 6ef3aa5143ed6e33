import type { ApiClient, KeySource } from './api.js';
import { byId, element, fillSelect } from './dom.js';
import { Feedback } from './feedback.js';
import type { Library } from './library.js';
import { MicStream, toBase64 } from './mic-stream.js';
import type { RealtimeServerEvent } from '../wire/realtime.js';

/** How long Stop waits for the last turn's text before closing the session. */
const LAST_TURN_WAIT_MS = 5000;

/**
 * Live transcription: the microphone streams to `GET /v1/realtime?intent=transcription` and the
 * transcript grows as the person speaks, one line per turn (found by the server's VAD): words
 * appear as deltas, and the line settles when the turn's final text arrives.
 */
export class LivePanel {
  private readonly model = byId('live-model', HTMLSelectElement);
  private readonly toggle = byId('live-toggle', HTMLButtonElement);
  private readonly turns = byId('live-transcript', HTMLOListElement);
  private readonly feedback = new Feedback(byId('live-status', HTMLElement), byId('live-error', HTMLElement));
  private readonly mic = new MicStream();
  private socket: WebSocket | undefined;

  constructor(
    private readonly api: ApiClient,
    private readonly keys: KeySource,
    private readonly library: Library,
  ) {
    library.onChange(() => this.render());
    this.toggle.hidden = !MicStream.supported;
    this.toggle.addEventListener('click', () => void (this.socket ? this.stop() : this.start()));
  }

  private render(): void {
    const models = this.library.sttModelsByPreference;
    fillSelect(this.model, [{ options: models.map((m) => ({ value: m.id, label: m.id })) }]);
    this.toggle.disabled = models.length === 0;
  }

  private async start(): Promise<void> {
    const model = this.model.value;
    try {
      // A browser cannot read why a WebSocket was refused: make sure of the key over HTTP first.
      await this.api.request('/v1/models');
      const socket = await this.open(model);
      this.socket = socket;
      socket.addEventListener('message', (event) => this.show(JSON.parse(String(event.data)) as RealtimeServerEvent));
      socket.addEventListener('close', (event) => void this.closed(event));
      await this.mic.start((pcm) => socket.readyState === WebSocket.OPEN && socket.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: toBase64(pcm) })));
      this.setListening(true);
      this.feedback.say(`Listening with ${model}: speak, and pause to end a sentence.`);
    } catch (error) {
      this.socket?.close();
      this.socket = undefined;
      await this.mic.stop();
      this.setListening(false);
      this.feedback.fail(error instanceof Error ? error : `The microphone is not available: ${String(error)}`);
    }
  }

  private open(model: string): Promise<WebSocket> {
    const key = this.keys.current();
    const url = new URL(`/v1/realtime?intent=transcription&model=${encodeURIComponent(model)}`, location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url, ['realtime', ...(key ? [`openai-insecure-api-key.${key}`] : [])]);
    return new Promise((resolve, reject) => {
      socket.addEventListener('open', () => resolve(socket), { once: true });
      socket.addEventListener('error', () => reject(new Error('Could not open the live session; is the server still running?')), { once: true });
    });
  }

  /** Stops the microphone, ends the open turn, and closes once its text is in (or after a few seconds). */
  private async stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    await this.mic.stop();
    this.setListening(false);
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    const open = this.turns.querySelector('li.partial');
    if (!open) {
      socket.close(1000, 'stopped');
      return;
    }
    this.feedback.say('Finishing the last sentence…');
    socket.send(JSON.stringify({ type: 'input_audio_buffer.commit' }));
    const settled = new Promise<void>((resolve) => {
      const check = () => (open.classList.contains('partial') ? undefined : resolve());
      socket.addEventListener('message', check);
    });
    await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, LAST_TURN_WAIT_MS))]);
    socket.close(1000, 'stopped');
    this.feedback.say('Stopped.');
  }

  private closed(event: CloseEvent): void {
    if (this.socket === undefined) return;
    this.socket = undefined;
    void this.mic.stop();
    this.setListening(false);
    if (event.code !== 1000) this.feedback.fail(`The live session ended: ${event.reason || `code ${event.code}`}`);
  }

  private turn(itemId: string): HTMLLIElement {
    const existing = this.turns.querySelector<HTMLLIElement>(`li[data-item="${CSS.escape(itemId)}"]`);
    if (existing) return existing;
    const line = element('li', '', 'partial');
    line.dataset.item = itemId;
    this.turns.append(line);
    return line;
  }

  private show(event: RealtimeServerEvent): void {
    if (event.type === 'input_audio_buffer.speech_started') {
      this.turn(event.item_id);
    } else if (event.type === 'conversation.item.input_audio_transcription.delta') {
      this.turn(event.item_id).textContent += event.delta;
    } else if (event.type === 'conversation.item.input_audio_transcription.completed') {
      const line = this.turn(event.item_id);
      line.textContent = event.transcript;
      line.classList.remove('partial');
      if (!event.transcript) line.remove();
    } else if (event.type === 'error') {
      this.feedback.fail(event.error.message);
    }
  }

  private setListening(listening: boolean): void {
    this.toggle.textContent = listening ? 'Stop' : 'Start listening';
    this.toggle.setAttribute('aria-pressed', String(listening));
    this.toggle.classList.toggle('primary', !listening);
    this.toggle.classList.toggle('secondary', listening);
    this.toggle.classList.toggle('recording', listening);
    this.model.disabled = listening;
  }
}
