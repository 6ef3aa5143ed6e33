import type { FastifyBaseLogger } from 'fastify';
import type { BrokenModel, Discovery, InstalledModel } from './discovery.js';
import { QueueFullError, SerialJobQueue } from './job-queue.js';
import { sherpa, type NativeOfflineTts } from './sherpa.js';
import { ModelNotFoundError, ModelUnavailableError, ServiceBusyError } from '../errors.js';

export interface ModelPoolOptions {
  numThreads: number;
  maxQueue: number;
  logger: FastifyBaseLogger;
}

interface Slot {
  model: InstalledModel;
  queue: SerialJobQueue;
  engine?: Promise<NativeOfflineTts>;
}

/**
 * The installed models. A model is loaded (with the engine's async factory) on its first use and
 * kept; its jobs run one at a time through its own bounded queue.
 */
export class ModelPool {
  private readonly slots = new Map<string, Slot>();
  private readonly broken = new Map<string, BrokenModel>();

  constructor(discovery: Discovery, private readonly options: ModelPoolOptions) {
    for (const model of discovery.models) {
      this.slots.set(model.id, { model, queue: new SerialJobQueue(options.maxQueue) });
    }
    for (const problem of discovery.broken) this.broken.set(problem.id, problem);
  }

  list(): InstalledModel[] {
    return [...this.slots.values()].map((s) => s.model);
  }

  isLoaded(id: string): boolean {
    return this.slots.get(id)?.engine !== undefined;
  }

  /** Jobs running or waiting on model `id`. */
  queueDepth(id: string): number {
    return this.slot(id).queue.depth;
  }

  /** The installed model `id`, or the error a client should see. */
  get(id: string): InstalledModel {
    return this.slot(id).model;
  }

  /** Runs `job` with model `id` loaded, after the jobs queued before it. */
  async run<T>(id: string, job: (engine: NativeOfflineTts) => Promise<T>): Promise<T> {
    const slot = this.slot(id);
    try {
      return await slot.queue.run(async () => job(await this.load(slot)));
    } catch (error) {
      if (error instanceof QueueFullError) {
        throw new ServiceBusyError(
          `Model '${id}' is busy: ${error.message}. Retry shortly, or raise VOCABLE_MAX_QUEUE (now ${this.options.maxQueue}).`,
        );
      }
      throw error;
    }
  }

  private slot(id: string): Slot {
    const slot = this.slots.get(id);
    if (slot) return slot;
    const problem = this.broken.get(id);
    if (problem) throw new ModelUnavailableError(`Model '${id}' is installed but cannot be used: ${problem.reason}.`);
    throw new ModelNotFoundError(id, [...this.slots.keys()]);
  }

  private load(slot: Slot): Promise<NativeOfflineTts> {
    if (!slot.engine) {
      const { model } = slot;
      const log = this.options.logger;
      const started = performance.now();
      log.info({ model: model.id, family: model.family.id }, `loading model '${model.id}' (${model.family.displayName}) on first use`);
      slot.engine = sherpa.OfflineTts.createAsync({
        model: { ...model.family.nativeModelConfig(model.files, model.capabilities), numThreads: this.options.numThreads, debug: 0, provider: 'cpu' },
        maxNumSentences: 1,
      }).then(
        (engine) => {
          log.info({ model: model.id, ms: Math.round(performance.now() - started) }, `model '${model.id}' loaded`);
          return engine;
        },
        (error: unknown) => {
          slot.engine = undefined;
          log.error({ model: model.id, err: error }, `model '${model.id}' failed to load`);
          throw new ModelUnavailableError(
            `Model '${model.id}' failed to load: ${(error as Error).message}. Check the files in ${model.dir}.`,
          );
        },
      );
    }
    return slot.engine;
  }
}
