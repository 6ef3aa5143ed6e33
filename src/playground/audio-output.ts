/** An `<audio>` player, and optionally a download link, showing one clip at a time. */
export class AudioOutput {
  private url: string | undefined;

  constructor(
    private readonly player: HTMLAudioElement,
    private readonly download?: HTMLAnchorElement,
  ) {}

  /** Hides the last clip, so an earlier result is never mistaken for the answer to a new request. */
  clear(): void {
    this.player.pause();
    this.player.removeAttribute('src');
    this.player.hidden = true;
    if (this.download) this.download.hidden = true;
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = undefined;
  }

  show(clip: Blob, fileName: string, { autoplay }: { autoplay: boolean }): void {
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = URL.createObjectURL(clip);
    this.player.src = this.url;
    this.player.hidden = false;
    if (this.download) {
      this.download.href = this.url;
      this.download.download = fileName;
      this.download.hidden = false;
    }
    // Browsers may refuse to start playback on their own; the player's controls still work then.
    if (autoplay) this.player.play().catch(() => undefined);
  }
}
