/** Containers the server decodes, best first; the browser records in the first it supports. */
const RECORDING_TYPES = [
  { mimeType: 'audio/webm;codecs=opus', extension: 'webm' },
  { mimeType: 'audio/ogg;codecs=opus', extension: 'ogg' },
  { mimeType: 'audio/mp4', extension: 'm4a' },
] as const;

/** Records a clip from the microphone with MediaRecorder. */
export class MicRecorder {
  private recorder: MediaRecorder | undefined;

  static get supported(): boolean {
    return typeof MediaRecorder !== 'undefined' && typeof navigator.mediaDevices?.getUserMedia === 'function';
  }

  get recording(): boolean {
    return this.recorder !== undefined;
  }

  async start(): Promise<void> {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    const type = RECORDING_TYPES.find((t) => MediaRecorder.isTypeSupported(t.mimeType));
    this.recorder = new MediaRecorder(stream, type ? { mimeType: type.mimeType } : {});
    this.recorder.start();
  }

  /** Stops recording and releases the microphone; resolves with the recording as a file. */
  stop(): Promise<File> {
    const recorder = this.recorder;
    if (!recorder) return Promise.reject(new Error('Not recording.'));
    this.recorder = undefined;
    return new Promise((resolve) => {
      const chunks: Blob[] = [];
      recorder.addEventListener('dataavailable', (event) => chunks.push(event.data));
      recorder.addEventListener('stop', () => {
        for (const track of recorder.stream.getTracks()) track.stop();
        const extension = RECORDING_TYPES.find((t) => recorder.mimeType.startsWith(t.mimeType.split(';')[0]!))?.extension ?? 'webm';
        resolve(new File(chunks, `recording.${extension}`, { type: recorder.mimeType }));
      }, { once: true });
      recorder.stop();
    });
  }
}
