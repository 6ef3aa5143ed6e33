/** The longest wait a busy model asks for; past it a client should rather give up. */
export const MAX_RETRY_AFTER_MS = 60_000;
/** The shortest spacing of turns, so that a model whose jobs take no time does not invite a flood. */
const MIN_TURN_MS = 20;
/** Turns remembered at most: past this many refused clients waiting, the waits stop growing (and hit the cap anyway). */
const MAX_BOOKED = 10_000;

/**
 * When refused clients should come back. Told "retry in 1 s" all at once, every client refused
 * in a burst returns in the same instant and is refused again, while in between the queue drains
 * and sits idle (a thundering herd: throughput falls and the event loop takes the bursts). So each
 * refusal gets a turn instead: the clients already told to come back, plus this one, each a job's
 * time apart, so refused clients return about as fast as the model frees places, spread out
 * rather than together. The spacing is the model's job time now, not when the earlier turns were
 * given, so turns given while jobs were slow (a model loading) do not hold later clients back.
 */
export class RetrySchedule {
  /** When the clients refused so far are due back, in `performance.now()` milliseconds, earliest first. */
  private readonly due: number[] = [];

  /** Milliseconds from `now` until the turn a client refused now would get; books nothing. */
  peek(turnMs: number, now = performance.now()): number {
    this.forgetPast(now);
    return Math.min(MAX_RETRY_AFTER_MS, (this.due.length + 1) * Math.max(MIN_TURN_MS, turnMs));
  }

  /** Books that turn and returns its wait in milliseconds. */
  book(turnMs: number, now = performance.now()): number {
    const wait = this.peek(turnMs, now);
    const at = now + wait;
    let index = this.due.length;
    while (index > 0 && this.due[index - 1]! > at) index -= 1;
    this.due.splice(index, 0, at);
    if (this.due.length > MAX_BOOKED) this.due.shift();
    return Math.round(wait);
  }

  private forgetPast(now: number): void {
    let passed = 0;
    while (passed < this.due.length && this.due[passed]! <= now) passed += 1;
    if (passed > 0) this.due.splice(0, passed);
  }
}
