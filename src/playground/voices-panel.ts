import type { ApiClient } from './api.js';
import type { SavedVoice } from '../wire/voices.js';
import { byId, element, whileBusy } from './dom.js';
import { Feedback } from './feedback.js';
import type { Library } from './library.js';

const path = (name: string) => `/v1/voices/${encodeURIComponent(name)}`;

/** One saved voice: hear its clip, rename it, fix its transcript, delete it; errors beside its buttons. */
class VoiceItem {
  readonly node = element('li', undefined, 'voice');
  private readonly name = element('input');
  private readonly transcript = element('textarea');
  private readonly player = element('audio');
  private readonly feedback: Feedback;

  constructor(
    private readonly api: ApiClient,
    private readonly library: Library,
    private readonly voice: SavedVoice,
  ) {
    const id = `voice-${voice.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    this.node.dataset.voice = voice.id;
    this.name.value = voice.id;
    this.name.id = `${id}-name`;
    this.name.autocomplete = 'off';
    this.name.spellcheck = false;
    this.transcript.value = voice.transcript ?? '';
    this.transcript.id = `${id}-transcript`;
    this.transcript.rows = 2;
    this.transcript.placeholder = 'No transcript: ZipVoice needs one';
    this.player.controls = true;
    this.player.hidden = true;
    this.player.setAttribute('aria-label', `Clip of ${voice.id}`);
    const status = element('p', undefined, 'status');
    status.setAttribute('role', 'status');
    const alert = element('p', undefined, 'error');
    alert.setAttribute('role', 'alert');
    this.feedback = new Feedback(status, alert);

    const play = this.button('Play', () => this.play());
    const save = this.button('Save changes', () => this.save());
    const remove = this.button('Delete', () => this.remove());
    remove.classList.add('danger');
    play.setAttribute('aria-label', `Play ${voice.id}`);
    save.setAttribute('aria-label', `Save changes to ${voice.id}`);
    remove.setAttribute('aria-label', `Delete ${voice.id}`);

    const nameField = this.field('Name', this.name);
    const transcriptField = this.field('Transcript', this.transcript);
    const seconds = element('span', `${voice.duration_seconds.toFixed(1)} s`, 'hint');
    const actions = element('div', undefined, 'actions');
    actions.append(play, save, remove);
    this.node.append(nameField, seconds, transcriptField, actions, this.player, status, alert);
  }

  private field(label: string, control: HTMLInputElement | HTMLTextAreaElement): HTMLElement {
    const wrapper = element('div', undefined, 'field');
    const caption = element('label', label);
    caption.htmlFor = control.id;
    wrapper.append(caption, control);
    return wrapper;
  }

  private button(label: string, action: () => Promise<void>): HTMLButtonElement {
    const button = element('button', label, 'secondary small');
    button.type = 'button';
    button.addEventListener('click', () => void whileBusy(button, this.node, action));
    return button;
  }

  private async play(): Promise<void> {
    try {
      const clip = await (await this.api.request(`${path(this.voice.id)}/audio`)).blob();
      if (this.player.src) URL.revokeObjectURL(this.player.src);
      this.player.src = URL.createObjectURL(clip);
      this.player.hidden = false;
      this.feedback.say('');
      await this.player.play().catch(() => undefined);
    } catch (error) {
      this.feedback.fail(error);
    }
  }

  private async save(): Promise<void> {
    const change: { name?: string; transcript?: string | null } = {};
    const name = this.name.value.trim();
    const transcript = this.transcript.value.trim();
    if (name !== this.voice.id) change.name = name;
    if (transcript !== (this.voice.transcript ?? '')) change.transcript = transcript || null;
    if (Object.keys(change).length === 0) {
      this.feedback.say('Nothing changed.');
      return;
    }
    try {
      await this.api.request(path(this.voice.id), { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(change) });
      await this.library.refreshVoices();
    } catch (error) {
      this.feedback.fail(error);
    }
  }

  private async remove(): Promise<void> {
    if (!window.confirm(`Delete the saved voice “${this.voice.id}”? Its clip is removed from the server.`)) return;
    try {
      await this.api.request(path(this.voice.id), { method: 'DELETE' });
      await this.library.refreshVoices();
    } catch (error) {
      this.feedback.fail(error);
    }
  }
}

/** The saved voices, each with its clip, name and transcript to check and fix. */
export class VoicesPanel {
  private readonly list = byId('voices-list', HTMLUListElement);
  private readonly summary = byId('voices-summary', HTMLElement);
  private shown = '';

  constructor(
    private readonly api: ApiClient,
    private readonly library: Library,
  ) {
    library.onChange(() => this.render());
  }

  private render(): void {
    // Models refresh often; the list is rebuilt only when the voices changed, so edits in progress stay.
    const key = JSON.stringify(this.library.voices);
    if (key === this.shown) return;
    this.shown = key;
    const voices = this.library.voices;
    this.summary.textContent = voices.length > 0 ? 'Play a clip to check it; rename a voice or fix its transcript, then save.' : 'No saved voices yet: clone one in “Clone a voice” and save it.';
    this.list.replaceChildren(...voices.map((voice) => new VoiceItem(this.api, this.library, voice).node));
  }
}
