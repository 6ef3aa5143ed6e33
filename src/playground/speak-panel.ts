import type { ApiClient } from './api.js';
import type { TtsModel } from '../wire/models.js';
import { AudioOutput } from './audio-output.js';
import { LivePlayer } from './live-player.js';
import { ControlsForm } from './controls-form.js';
import { byId, fillSelect, whileBusy, type OptionGroup } from './dom.js';
import { Feedback } from './feedback.js';
import type { Library } from './library.js';
import { speechFileName, synthesize } from './speech.js';
import type { RequestTiming } from './status-panel.js';

const CLONING_LABELS = { none: 'preset voices', audio: 'clones from a clip', 'audio+transcript': 'clones from a clip and its transcript' } as const;

/** Text to speech with a model's preset voices or the saved voices. */
export class SpeakPanel {
  private readonly panel = byId('speak', HTMLElement);
  private readonly form = byId('speak-form', HTMLFormElement);
  private readonly model = byId('speak-model', HTMLSelectElement);
  private readonly voice = byId('speak-voice', HTMLSelectElement);
  private readonly voiceHint = byId('speak-voice-hint', HTMLElement);
  private readonly text = byId('speak-text', HTMLTextAreaElement);
  private readonly submit = byId('speak-submit', HTMLButtonElement);
  private readonly controls = new ControlsForm(byId('speak-controls', HTMLElement), byId('speak-options', HTMLDetailsElement), 'speak');
  private readonly output = new AudioOutput(byId('speak-audio', HTMLAudioElement), byId('speak-download', HTMLAnchorElement));
  private readonly live = new LivePlayer();
  private readonly feedback = new Feedback(byId('speak-status', HTMLElement), byId('speak-error', HTMLElement));

  constructor(
    private readonly api: ApiClient,
    private readonly library: Library,
    private readonly report: (timing: RequestTiming) => void,
  ) {
    library.onChange(() => this.render());
    this.model.addEventListener('change', () => this.renderModel());
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.speak();
    });
    this.text.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        this.form.requestSubmit();
      }
    });
  }

  private get selectedModel(): TtsModel | undefined {
    return this.library.tts(this.model.value);
  }

  private render(): void {
    fillSelect(this.model, [{ options: this.library.ttsModels.map((m) => ({ value: m.id, label: `${m.id} (${CLONING_LABELS[m.capabilities.cloning]})` })) }]);
    this.renderModel();
  }

  private renderModel(): void {
    const model = this.selectedModel;
    this.controls.render(model);
    if (!model) {
      this.setVoices([], 'No speech model is installed: pull one with “vocable pull pocket-tts-int8”.');
      return;
    }
    const { cloning, voices } = model.capabilities;
    const groups: OptionGroup[] = [{ label: 'Preset voices', options: voices.map((v) => ({ value: v, label: v })) }];
    if (cloning === 'none') {
      this.setVoices(groups, `${model.id} speaks in its own preset voices.`);
      return;
    }
    const saved = this.library.voices.map((v) => ({
      value: v.id,
      label: cloning === 'audio+transcript' && !v.transcript ? `${v.id} (no transcript)` : v.id,
    }));
    groups.push({ label: 'Saved voices', options: saved });
    const hint = saved.length > 0 ? `${model.id} speaks in any saved voice.` : `No saved voices yet: clone one in “Clone a voice” and save it, or pull the Kyutai voices (“vocable pull kyutai-pocket-voices”).`;
    this.setVoices(groups, hint);
    if (model.capabilities.default_voice) this.voice.value = model.capabilities.default_voice;
  }

  private setVoices(groups: OptionGroup[], hint: string): void {
    fillSelect(this.voice, groups);
    const empty = this.voice.options.length === 0;
    this.voice.disabled = empty;
    this.submit.disabled = empty;
    this.voiceHint.textContent = hint;
  }

  private async speak(): Promise<void> {
    const model = this.selectedModel;
    if (!model || !this.voice.value) {
      this.feedback.fail('Pick a model and a voice first.');
      return;
    }
    const input = this.text.value;
    await whileBusy(this.submit, this.panel, async () => {
      this.output.clear();
      this.feedback.say(`Speaking with ${model.id}…`);
      try {
        const result = await synthesize(this.api, { model: model.id, voice: this.voice.value, input, ...this.controls.values() }, this.live);
        this.output.show(result.wav, speechFileName(model.id, input), { autoplay: !result.playedLive });
        this.feedback.say(`Done: ${result.audioSeconds.toFixed(1)} s of audio.`);
        this.report({ action: 'Speak', model: model.id, audioSeconds: result.audioSeconds, wallSeconds: result.wallSeconds });
      } catch (error) {
        this.feedback.fail(error);
      }
    });
  }
}
