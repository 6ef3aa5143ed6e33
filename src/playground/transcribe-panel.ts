import type { ApiClient } from './api.js';
import type { TimedText as TranscriptSegment } from '../wire/transcripts.js';
import { copyText } from './clipboard.js';
import { byId, element, fillSelect, whileBusy } from './dom.js';
import { acceptAudioFiles } from './drop-zone.js';
import { Feedback } from './feedback.js';
import type { Library } from './library.js';
import type { RequestTiming } from './status-panel.js';
import { clockTime, toSrt, toVtt } from './subtitles.js';
import { clipSeconds } from './clip-rule.js';
import { transcribe } from './transcription.js';
import { transcribeStreaming } from './transcription-stream.js';

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
  private readonly status = byId('transcribe-status', HTMLElement);
  private readonly feedback = new Feedback(this.status, byId('transcribe-error', HTMLElement));
  private readonly copyFeedback = new Feedback(this.status, byId('copy-error', HTMLElement));
  private readonly progress = byId('transcribe-progress', HTMLProgressElement);
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
      copyText(content()).then(() => this.copyFeedback.say(`Copied ${what}.`), (error: unknown) => this.copyFeedback.fail(error));
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
      this.segments = [];
      this.result.hidden = true;
      this.copyFeedback.say('');
      this.feedback.say(`Transcribing ${file.name} with ${model}…`);
      try {
        if (this.speakers.checked && this.library.canLabelSpeakers) await this.transcribeWhole(file, model);
        else await this.transcribeAsItGoes(file, model);
      } catch (error) {
        this.feedback.fail(error);
      } finally {
        this.progress.hidden = true;
      }
    });
  }

  /** Speaker labels need the whole file: one answer, with each segment's voice. */
  private async transcribeWhole(file: File, model: string): Promise<void> {
    const { transcript, wallSeconds } = await transcribe(this.api, model, file, true);
    this.segments = transcript.segments ?? [];
    this.show(transcript.text);
    this.feedback.say(`Transcribed ${transcript.duration.toFixed(1)} s of audio (language: ${transcript.language}).`);
    this.report({ action: 'Transcribe', model, audioSeconds: transcript.duration, wallSeconds });
  }

  /** Streamed: each segment is shown as it is recognised, with how far through the file it is. */
  private async transcribeAsItGoes(file: File, model: string): Promise<void> {
    const duration = await clipSeconds(file);
    this.progress.value = 0;
    this.progress.hidden = duration === undefined;
    const { text, wallSeconds } = await transcribeStreaming(this.api, model, file, (segment) => {
      this.segments.push(segment);
      this.show(this.segments.map((s) => s.text).join(' '));
      if (duration) {
        const share = Math.min(100, Math.round((100 * segment.end) / duration));
        this.progress.value = share;
        this.status.textContent = `Transcribing ${file.name} with ${model}… ${share}% (${clockTime(segment.end)} of ${clockTime(duration)})`;
      }
    });
    this.show(text);
    const audioSeconds = duration ?? this.segments.at(-1)?.end ?? 0;
    this.feedback.say(`Transcribed ${audioSeconds.toFixed(1)} s of audio.`);
    this.report({ action: 'Transcribe', model, audioSeconds, wallSeconds });
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
