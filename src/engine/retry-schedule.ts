/** The longest wait a busy model asks for; past it a client should rather give up. */
export const MAX_RETRY_AFTER_MS = 60_000;
/** The shortest spacing of turns, so that a model whose jobs take no time does not invite a flood. */
const MIN_TURN_MS = 20;

/**
 * When refused clients should come back. Told "retry in 1 s" all at once, every client refused
 * in a burst returns in the same instant and is refused again, while in between the queue drains
 * and sits idle (a thundering herd: throughput falls and the event loop takes the bursts). So each
 * refusal books a turn instead: the first when a place in the queue should be free, each later one
 * a job's time after the one before, so refused clients come back about as fast as the model
 * frees places, spread out rather than together.
 */
export class RetrySchedule {
  /** The next turn not yet booked, in `performance.now()` milliseconds. */
  private nextTurn = 0;

  /** Milliseconds from `now` until the turn a client refused now would get; books nothing. */
  peek(turnMs: number, now = performance.now()): number {
    const spacing = Math.max(MIN_TURN_MS, turnMs);
    return Math.min(MAX_RETRY_AFTER_MS, Math.max(now + spacing, this.nextTurn) - now);
  }

  /** Books that turn and returns its wait in milliseconds. */
  book(turnMs: number, now = performance.now()): number {
    const wait = this.peek(turnMs, now);
    this.nextTurn = Math.min(now + MAX_RETRY_AFTER_MS, now + wait + Math.max(MIN_TURN_MS, turnMs));
    return Math.round(wait);
  }
}
