import type { ApiClient } from './api.js';
import type { TtsModel } from '../wire/models.js';
import { AudioOutput } from './audio-output.js';
import { LivePlayer } from './live-player.js';
import { ControlsForm } from './controls-form.js';
import { clipSeconds, describeRule, judgeClip, type ClipVerdict } from './clip-rule.js';
import { byId, fillSelect, whileBusy } from './dom.js';
import { acceptAudioFiles } from './drop-zone.js';
import { Feedback } from './feedback.js';
import type { Library } from './library.js';
import { MicRecorder } from './recorder.js';
import { fileToBase64, speechFileName, synthesize } from './speech.js';
import type { RequestTiming } from './status-panel.js';
import { transcribe } from './transcription.js';

const kilobytes = (bytes: number) => `${Math.max(1, Math.round(bytes / 1024))} KB`;

/**
 * Zero-shot cloning: a reference clip (dropped, chosen or recorded), its transcript (filled in
 * by a speech-to-text model, editable), speech in that voice, and saving the clip as a named voice.
 */
export class ClonePanel {
  private readonly panel = byId('clone', HTMLElement);
  private readonly form = byId('clone-form', HTMLFormElement);
  private readonly model = byId('clone-model', HTMLSelectElement);
  private readonly modelHint = byId('clone-model-hint', HTMLElement);
  private readonly record = byId('clone-record', HTMLButtonElement);
  private readonly fileName = byId('clone-file-name', HTMLElement);
  private readonly clipPlayer = new AudioOutput(byId('clone-clip', HTMLAudioElement));
  private readonly sttModel = byId('clone-stt-model', HTMLSelectElement);
  private readonly sttHint = byId('clone-stt-hint', HTMLElement);
  private readonly transcript = byId('clone-transcript', HTMLTextAreaElement);
  private readonly transcriptHint = byId('clone-transcript-hint', HTMLElement);
  private readonly text = byId('clone-text', HTMLTextAreaElement);
  private readonly speakButton = byId('clone-speak', HTMLButtonElement);
  private readonly controls = new ControlsForm(byId('clone-controls', HTMLElement), byId('clone-options', HTMLDetailsElement), 'clone');
  private readonly output = new AudioOutput(byId('clone-audio', HTMLAudioElement), byId('clone-download', HTMLAnchorElement));
  private readonly live = new LivePlayer();
  private readonly saveForm = byId('clone-save-form', HTMLFormElement);
  private readonly name = byId('clone-name', HTMLInputElement);
  private readonly saveButton = byId('clone-save', HTMLButtonElement);
  private readonly status = byId('clone-status', HTMLElement);
  /** Each error shows beside what caused it: the clip (recording, transcribing), Speak, or Save. */
  private readonly feedback = new Feedback(this.status, byId('clone-clip-error', HTMLElement));
  private readonly speakFeedback = new Feedback(this.status, byId('clone-speak-error', HTMLElement));
  private readonly saveFeedback = new Feedback(this.status, byId('clone-save-error', HTMLElement));
  private readonly clipRule = byId('clone-clip-rule', HTMLElement);
  /** The clip's length, once the browser has read it. */
  private clipLength: number | undefined;
  private readonly recorder = new MicRecorder();
  private clip: File | undefined;
  /** Counts clips, so a transcript that arrives after another clip was chosen is dropped. */
  private clipNumber = 0;

  constructor(
    private readonly api: ApiClient,
    private readonly library: Library,
    private readonly report: (timing: RequestTiming) => void,
  ) {
    library.onChange(() => this.render());
    this.model.addEventListener('change', () => this.renderModel());
    this.sttModel.addEventListener('change', () => void this.transcribeClip());
    acceptAudioFiles(byId('clone-drop', HTMLElement), byId('clone-file', HTMLInputElement), (file) => this.useClip(file));
    this.record.hidden = !MicRecorder.supported;
    this.record.addEventListener('click', () => void this.toggleRecording());
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.speak();
    });
    this.saveForm.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.save();
    });
  }

  private get selectedModel(): TtsModel | undefined {
    return this.library.tts(this.model.value);
  }

  private render(): void {
    const cloning = this.library.cloningModels;
    fillSelect(this.model, [{ options: cloning.map((m) => ({ value: m.id, label: m.id })) }]);
    this.model.disabled = cloning.length === 0;
    this.speakButton.disabled = cloning.length === 0;
    const stt = this.library.sttModelsByPreference;
    fillSelect(this.sttModel, [{ options: stt.map((m) => ({ value: m.id, label: m.id })) }]);
    this.sttModel.disabled = stt.length === 0;
    this.sttHint.textContent = stt.length > 0 ? 'The transcript is filled in when you choose a clip.' : 'No speech-to-text model is installed: type what the clip says.';
    this.renderModel();
  }

  private renderModel(): void {
    const model = this.selectedModel;
    this.controls.render(model);
    const needsTranscript = model?.capabilities.cloning === 'audio+transcript';
    this.transcript.required = needsTranscript;
    if (!model) {
      this.modelHint.textContent = 'No installed model clones voices: pull pocket-tts-int8 or zipvoice-distill-int8.';
    } else if (needsTranscript) {
      this.modelHint.textContent = `${model.id} clones from a clip and the words spoken in it.`;
    } else {
      this.modelHint.textContent = `${model.id} clones from the clip alone.`;
    }
    this.transcriptHint.textContent = needsTranscript
      ? `Needed by ${model.id}: the exact words of the clip.`
      : 'Kept with a saved voice, for models that need it.';
    this.renderClipRule();
  }

  /** What the chosen model does with the chosen clip, or its rule while no clip is chosen. */
  private clipVerdict(): ClipVerdict | undefined {
    const model = this.selectedModel;
    if (!model) return undefined;
    if (this.clipLength === undefined) return { kind: 'ok', message: describeRule(model) };
    return judgeClip(model, this.clipLength);
  }

  private renderClipRule(): void {
    const verdict = this.clipVerdict();
    this.clipRule.textContent = verdict?.message ?? '';
    this.clipRule.className = verdict?.kind === 'refuse' ? 'hint refused' : verdict?.kind === 'trim' ? 'hint warning' : 'hint';
  }

  private useClip(file: File): void {
    this.clip = file;
    this.clipNumber += 1;
    this.fileName.textContent = `${file.name}, ${kilobytes(file.size)}`;
    this.clipPlayer.show(file, file.name, { autoplay: false });
    this.clipLength = undefined;
    this.renderClipRule();
    const clipNumber = this.clipNumber;
    void clipSeconds(file).then((seconds) => {
      if (clipNumber !== this.clipNumber) return;
      this.clipLength = seconds;
      this.renderClipRule();
    });
    void this.transcribeClip();
  }

  private async toggleRecording(): Promise<void> {
    try {
      if (this.recorder.recording) {
        const recording = await this.recorder.stop();
        this.setRecording(false);
        this.useClip(recording);
      } else {
        await this.recorder.start();
        this.setRecording(true);
        this.feedback.say('Recording… speak for 5 to 15 seconds, then press Stop.');
      }
    } catch (error) {
      this.setRecording(false);
      this.feedback.fail(`The microphone is not available: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private setRecording(recording: boolean): void {
    this.record.textContent = recording ? 'Stop recording' : 'Record';
    this.record.setAttribute('aria-pressed', String(recording));
    this.record.classList.toggle('recording', recording);
  }

  private async transcribeClip(): Promise<void> {
    const clip = this.clip;
    const model = this.sttModel.value;
    if (!clip || !model) return;
    const clipNumber = this.clipNumber;
    this.feedback.say(`Transcribing the clip with ${model}…`);
    try {
      const { transcript, wallSeconds } = await transcribe(this.api, model, clip, false);
      if (clipNumber !== this.clipNumber) return;
      this.transcript.value = transcript.text;
      this.feedback.say(`Transcript filled in by ${model}: check it, and edit it if it is wrong.`);
      this.report({ action: 'Transcribe clip', model, audioSeconds: transcript.duration, wallSeconds });
    } catch (error) {
      if (clipNumber === this.clipNumber) this.feedback.fail(error);
    }
  }

  private async speak(): Promise<void> {
    const model = this.selectedModel;
    const clip = this.clip;
    this.output.clear();
    if (!model || !clip) {
      this.speakFeedback.fail(model ? 'Choose, drop or record a reference clip first.' : 'No installed model clones voices.');
      return;
    }
    const verdict = this.clipVerdict();
    if (verdict?.kind === 'refuse') {
      this.speakFeedback.fail(verdict.message);
      return;
    }
    const input = this.text.value;
    const refText = this.transcript.value.trim();
    await whileBusy(this.speakButton, this.panel, async () => {
      this.speakFeedback.say(`Cloning the voice with ${model.id}…`);
      try {
        const refAudio = await fileToBase64(clip);
        const result = await synthesize(this.api, { model: model.id, input, ref_audio: refAudio, ...(refText ? { ref_text: refText } : {}), ...this.controls.values() }, this.live);
        this.output.show(result.wav, speechFileName(`${model.id}-clone`, input), { autoplay: !result.playedLive });
        const trimmed = result.referenceTrimmed ? ` The clip was trimmed to its best stretch of speech (${result.referenceTrimmed}).` : '';
        this.speakFeedback.say(`Done: ${result.audioSeconds.toFixed(1)} s in the cloned voice.${trimmed}`);
        this.report({ action: 'Clone', model: model.id, audioSeconds: result.audioSeconds, wallSeconds: result.wallSeconds });
      } catch (error) {
        this.speakFeedback.fail(error);
      }
    });
  }

  private async save(): Promise<void> {
    const clip = this.clip;
    if (!clip) {
      this.saveFeedback.fail('Choose, drop or record a reference clip first.');
      return;
    }
    const name = this.name.value.trim();
    const form = new FormData();
    form.append('name', name);
    const transcript = this.transcript.value.trim();
    if (transcript) form.append('transcript', transcript);
    if (this.selectedModel) form.append('model', this.selectedModel.id);
    form.append('file', clip, clip.name);
    await whileBusy(this.saveButton, this.panel, async () => {
      this.saveFeedback.say(`Saving “${name}”…`);
      try {
        await this.api.postForm('/v1/voices', form);
        await this.library.refreshVoices();
        this.saveFeedback.say(`Saved “${name}”: it is now a voice in Speak, for models that clone.`);
      } catch (error) {
        this.saveFeedback.fail(error);
      }
    });
  }
}
