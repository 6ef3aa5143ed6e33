import { ServiceBusyError } from '../errors.js';

/**
 * Live sessions open per model, bounded like the HTTP queue: every session's decodes share the
 * model's one queue, so past the bound each would only wait longer for its words.
 */
export class SessionLimits {
  private readonly open = new Map<string, number>();

  constructor(private readonly maxPerModel: number) {}

  count(model: string): number {
    return this.open.get(model) ?? 0;
  }

  /** Takes a place on `model`, or throws the 503 a client should see. */
  acquire(model: string, what: string): void {
    const count = this.count(model);
    if (count >= this.maxPerModel) {
      throw new ServiceBusyError(`Model '${model}' already has ${count} live ${what} sessions; retry shortly, or raise VOCABLE_MAX_QUEUE or VOCABLE_INSTANCES (live sessions per model are bounded by their sum).`);
    }
    this.open.set(model, count + 1);
  }

  release(model: string): void {
    const count = this.count(model) - 1;
    if (count > 0) this.open.set(model, count);
    else this.open.delete(model);
  }
}
