/** A panel's two live regions: progress and outcomes (polite status), and errors (alert). */
export class Feedback {
  constructor(
    private readonly status: HTMLElement,
    private readonly alert: HTMLElement,
  ) {}

  say(message: string): void {
    this.alert.textContent = '';
    this.status.textContent = message;
  }

  fail(error: unknown): void {
    this.status.textContent = '';
    this.alert.textContent = error instanceof Error ? error.message : String(error);
  }
}
