/**
 * Deltas from repeated decodes of a growing turn. A re-decode may revise its last words, but a
 * delta cannot be taken back, so only the words two decodes in a row agree on are sent ("local
 * agreement"); the final decode sends whatever is left, when it extends what was sent.
 */
export class StablePrefix {
  private previous: string[] = [];
  private sent = '';

  /** The text newly agreed on by this decode and the one before, or '' when nothing new is sure. */
  partial(text: string): string {
    const words = text.trim().split(/\s+/).filter(Boolean);
    let agreed = 0;
    while (agreed < words.length && agreed < this.previous.length && words[agreed] === this.previous[agreed]) agreed += 1;
    this.previous = words;
    return this.extend(words.slice(0, agreed).join(' '));
  }

  /** What the final text adds to the deltas already sent ('' when it revised them). */
  final(text: string): string {
    return this.extend(text.trim().split(/\s+/).filter(Boolean).join(' '));
  }

  private extend(text: string): string {
    if (text.length <= this.sent.length || !text.startsWith(this.sent)) return '';
    if (this.sent && text[this.sent.length] !== ' ') return '';
    const delta = text.slice(this.sent.length);
    this.sent = text;
    return delta;
  }
}
