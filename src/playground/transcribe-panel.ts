import type { ApiClient } from './api.js';
import type { VerboseSegment as TranscriptSegment } from '../wire/transcripts.js';
import { copyText } from './clipboard.js';
import { byId, element, fillSelect, whileBusy } from './dom.js';
import { acceptAudioFiles } from './drop-zone.js';
import { Feedback } from './feedback.js';
import type { Library } from './library.js';
import type { RequestTiming } from './status-panel.js';
import { clockTime, toSrt, toVtt } from './subtitles.js';
import { transcribe } from './transcription.js';

/** Speech to text: a dropped or chosen file, its text with segment times, and subtitles to copy. */
export class TranscribePanel {
  private readonly panel = byId('transcribe', HTMLElement);
  private readonly form = byId('transcribe-form', HTMLFormElement);
  private readonly model = byId('transcribe-model', HTMLSelectElement);
  private readonly fileName = byId('transcribe-file-name', HTMLElement);
  private readonly submit = byId('transcribe-submit', HTMLButtonElement);
  private readonly result = byId('transcript', HTMLElement);
  private readonly text = byId('transcript-text', HTMLElement);
  private readonly segmentList = byId('transcript-segments', HTMLOListElement);
  private readonly speakersField = byId('transcribe-speakers-field', HTMLElement);
  private readonly speakers = byId('transcribe-speakers', HTMLInputElement);
  private readonly feedback = new Feedback(byId('transcribe-status', HTMLElement), byId('transcribe-error', HTMLElement));
  private file: File | undefined;
  private segments: TranscriptSegment[] = [];

  constructor(
    private readonly api: ApiClient,
    private readonly library: Library,
    private readonly report: (timing: RequestTiming) => void,
  ) {
    library.onChange(() => this.render());
    acceptAudioFiles(byId('transcribe-drop', HTMLElement), byId('transcribe-file', HTMLInputElement), (file) => {
      this.file = file;
      this.fileName.textContent = file.name;
      void this.transcribe();
    });
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.transcribe();
    });
    this.copyButton('copy-text', 'the text', () => this.text.textContent ?? '');
    this.copyButton('copy-srt', 'the SRT subtitles', () => toSrt(this.segments));
    this.copyButton('copy-vtt', 'the WebVTT subtitles', () => toVtt(this.segments));
  }

  private render(): void {
    const models = this.library.sttModelsByPreference;
    fillSelect(this.model, [{ options: models.map((m) => ({ value: m.id, label: m.id })) }]);
    this.model.disabled = models.length === 0;
    this.speakersField.hidden = !this.library.canLabelSpeakers;
    this.submit.disabled = models.length === 0;
    if (models.length === 0) this.feedback.say('No speech-to-text model is installed: pull one with “vocable pull whisper-tiny”.');
  }

  private copyButton(id: string, what: string, content: () => string): void {
    byId(id, HTMLButtonElement).addEventListener('click', () => {
      copyText(content()).then(() => this.feedback.say(`Copied ${what}.`), (error: unknown) => this.feedback.fail(error));
    });
  }

  private async transcribe(): Promise<void> {
    const file = this.file;
    const model = this.model.value;
    if (!file || !model) {
      this.feedback.fail(model ? 'Drop or choose an audio file first.' : 'No speech-to-text model is installed.');
      return;
    }
    await whileBusy(this.submit, this.panel, async () => {
      this.feedback.say(`Transcribing ${file.name} with ${model}…`);
      try {
        const { transcript, wallSeconds } = await transcribe(this.api, model, file, this.speakers.checked && this.library.canLabelSpeakers);
        this.segments = transcript.segments ?? [];
        this.show(transcript.text);
        this.feedback.say(`Transcribed ${transcript.duration.toFixed(1)} s of audio (language: ${transcript.language}).`);
        this.report({ action: 'Transcribe', model, audioSeconds: transcript.duration, wallSeconds });
      } catch (error) {
        this.feedback.fail(error);
      }
    });
  }

  private show(text: string): void {
    this.text.textContent = text || '(no speech found)';
    this.segmentList.replaceChildren(
      ...this.segments.map((segment) => {
        const item = element('li');
        item.append(element('span', `${clockTime(segment.start)} – ${clockTime(segment.end)}`, 'time'));
        if (segment.speaker !== undefined) item.append(element('span', segment.speaker, 'speaker'));
        item.append(element('span', segment.text.trim(), 'segment-text'));
        return item;
      }),
    );
    this.result.hidden = false;
  }
}
