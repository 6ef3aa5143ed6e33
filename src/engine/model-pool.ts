import type { FastifyBaseLogger } from 'fastify';
import type { BrokenModel, Discovery, InstalledModel, InstalledSttModel, InstalledTtsModel } from './discovery.js';
import { QueueFullError, SerialJobQueue } from './job-queue.js';
import { sherpa, type NativeOfflineRecognizer, type NativeOfflineTts } from './sherpa.js';
import type { RecognitionOptions } from './stt-family.js';
import { ApiError, InvalidRequestError, ModelNotFoundError, ModelUnavailableError, ServiceBusyError } from '../errors.js';

type NativeEngine = NativeOfflineTts | NativeOfflineRecognizer;

export interface ModelPoolOptions {
  numThreads: number;
  maxQueue: number;
  /** Loaded models may hold this much (estimated from their files) before the least recently used unloads. */
  memoryBudgetBytes: number;
  /** Unload a model unused this long; 0 keeps it. */
  idleUnloadSeconds: number;
  logger: FastifyBaseLogger;
  /** What to tell a client asking for a model that is not installed (e.g. one being pulled). */
  explainMissing?: (id: string) => ApiError | undefined;
}

export interface Slot {
  model: InstalledModel;
  queue: SerialJobQueue;
  engine?: Promise<NativeEngine>;
  /** The recognition options the loaded recognizer is configured for (speech-to-text only). */
  recognition?: string;
  lastUsed: number;
  idleTimer?: NodeJS.Timeout;
}

export interface ModelState {
  loaded: boolean;
  memory_bytes: number;
  queue_depth: number;
}

const MB = 1024 * 1024;
const mb = (bytes: number) => `${Math.round(bytes / MB)} MB`;

/**
 * The installed models. A model is loaded (with the engine's async factory) on first use; its
 * jobs run one at a time through its own bounded queue. Loaded models stay within a memory
 * budget by unloading the least recently used idle one, and may unload after an idle time. A
 * model with a job running or waiting is never unloaded.
 */
export class ModelPool {
  private readonly slots = new Map<string, Slot>();
  private readonly broken = new Map<string, BrokenModel>();
  /** The Silero VAD model transcription segments audio with, when one is installed. */
  vadModel?: string;

  constructor(discovery: Discovery, private readonly options: ModelPoolOptions) {
    this.update(discovery);
  }

  /** Takes in a fresh discovery (after a pull): new folders become models; loaded ones stay. */
  update(discovery: Discovery): void {
    for (const model of discovery.models) {
      if (!this.slots.has(model.id)) this.slots.set(model.id, { model, queue: new SerialJobQueue(this.options.maxQueue), lastUsed: 0 });
    }
    this.broken.clear();
    for (const problem of discovery.broken) this.broken.set(problem.id, problem);
    this.vadModel = discovery.vadModel;
  }

  list(): InstalledModel[] {
    return [...this.slots.values()].map((s) => s.model);
  }

  state(id: string): ModelState {
    const slot = this.slot(id);
    return { loaded: slot.engine !== undefined, memory_bytes: slot.model.sizeBytes, queue_depth: slot.queue.depth };
  }

  /** Jobs running or waiting on model `id`. */
  queueDepth(id: string): number {
    return this.slot(id).queue.depth;
  }

  /** The installed model `id`, or the error a client should see. */
  get(id: string): InstalledModel {
    return this.slot(id).model;
  }

  /** The text-to-speech model `id`; a speech-to-text one is a client error. */
  getTts(id: string): InstalledTtsModel {
    const model = this.get(id);
    if (model.task !== 'tts') {
      throw new InvalidRequestError(`Model '${id}' turns speech into text; use POST /v1/audio/transcriptions, or pick a text-to-speech model`, 'model', 'wrong_model_task');
    }
    return model;
  }

  /** The speech-to-text model `id`; a text-to-speech one is a client error. */
  getStt(id: string): InstalledSttModel {
    const model = this.get(id);
    if (model.task !== 'stt') {
      throw new InvalidRequestError(`Model '${id}' turns text into speech; use POST /v1/audio/speech, or pick a speech-to-text model`, 'model', 'wrong_model_task');
    }
    return model;
  }

  /** Runs `job` on text-to-speech model `id`, after the jobs queued before it. */
  runTts<T>(id: string, job: (tts: NativeOfflineTts) => Promise<T>): Promise<T> {
    this.getTts(id);
    return this.run(id, (engine) => job(engine as NativeOfflineTts));
  }

  /** Runs `job` on speech-to-text model `id` configured for `options`, after the jobs queued before it. */
  runStt<T>(id: string, options: RecognitionOptions, job: (recognizer: NativeOfflineRecognizer) => Promise<T>): Promise<T> {
    const model = this.getStt(id);
    return this.run(id, async (engine, slot) => {
      const recognizer = engine as NativeOfflineRecognizer;
      const key = JSON.stringify(options);
      // One job at a time per model, so reconfiguring here cannot disturb another request.
      if (slot.recognition !== key) {
        recognizer.setConfig(model.family.recognizerConfig(model.files, options, this.options.numThreads));
        slot.recognition = key;
      }
      return job(recognizer);
    });
  }

  /** Runs `job` with model `id` loaded, after the jobs queued before it. */
  async run<T>(id: string, job: (engine: NativeEngine, slot: Slot) => Promise<T>): Promise<T> {
    const slot = this.slot(id);
    clearTimeout(slot.idleTimer);
    try {
      return await slot.queue.run(async () => job(await this.ensureLoaded(slot), slot));
    } catch (error) {
      if (error instanceof QueueFullError) throw this.busy(id, error.message);
      throw error;
    } finally {
      slot.lastUsed = performance.now();
      this.scheduleIdleUnload(slot);
    }
  }

  /** Refuses at once (503) when model `id`'s queue is full, before a request spends work on its input. */
  assertAccepting(id: string): void {
    const slot = this.slot(id);
    if (slot.queue.full) throw this.busy(id, `${slot.queue.depth} requests are running or waiting`);
  }

  private busy(id: string, detail: string): ServiceBusyError {
    return new ServiceBusyError(`Model '${id}' is busy: ${detail}. Retry shortly, or raise VOCABLE_MAX_QUEUE (now ${this.options.maxQueue}).`);
  }

  /** Loads model `id` now (operators warming a model). */
  async load(id: string): Promise<void> {
    const slot = this.slot(id);
    await this.ensureLoaded(slot);
    slot.lastUsed = performance.now();
    this.scheduleIdleUnload(slot);
  }

  /** Unloads model `id`; refused while it has jobs, which would otherwise wait on a reload. */
  unload(id: string): void {
    const slot = this.slot(id);
    if (slot.queue.depth > 0) {
      throw new ApiError(409, `Model '${id}' has ${slot.queue.depth} job(s) running or waiting; unload it when it is idle.`, 'invalid_request_error', 'model_busy', 'model');
    }
    this.drop(slot, 'on request');
  }

  close(): void {
    for (const slot of this.slots.values()) clearTimeout(slot.idleTimer);
  }

  private slot(id: string): Slot {
    const slot = this.slots.get(id);
    if (slot) return slot;
    const problem = this.broken.get(id);
    if (problem) throw new ModelUnavailableError(`Model '${id}' is installed but cannot be used: ${problem.reason}.`);
    throw this.options.explainMissing?.(id) ?? new ModelNotFoundError(id, [...this.slots.keys()]);
  }

  private drop(slot: Slot, why: string): void {
    clearTimeout(slot.idleTimer);
    if (!slot.engine) return;
    // sherpa-onnx frees the native model when the handle is garbage-collected.
    slot.engine = undefined;
    this.options.logger.info({ model: slot.model.id }, `model '${slot.model.id}' unloaded ${why}`);
  }

  private scheduleIdleUnload(slot: Slot): void {
    clearTimeout(slot.idleTimer);
    if (this.options.idleUnloadSeconds <= 0 || !slot.engine) return;
    slot.idleTimer = setTimeout(() => {
      if (slot.queue.depth === 0) this.drop(slot, `after ${this.options.idleUnloadSeconds} s idle`);
    }, this.options.idleUnloadSeconds * 1000);
    slot.idleTimer.unref();
  }

  /** Unloads idle models, least recently used first, until `slot` fits the budget. */
  private makeRoom(slot: Slot): void {
    const budget = this.options.memoryBudgetBytes;
    const loaded = () => [...this.slots.values()].filter((s) => s.engine !== undefined && s !== slot);
    const used = () => loaded().reduce((sum, s) => sum + s.model.sizeBytes, 0);
    if (slot.model.sizeBytes > budget) {
      throw new ModelUnavailableError(
        `Model '${slot.model.id}' needs about ${mb(slot.model.sizeBytes)}, more than the memory budget of ${mb(budget)}; raise VOCABLE_MEMORY_BUDGET_BYTES.`,
      );
    }
    while (used() + slot.model.sizeBytes > budget) {
      const idle = loaded().filter((s) => s.queue.depth === 0).sort((a, b) => a.lastUsed - b.lastUsed)[0];
      if (!idle) {
        throw new ServiceBusyError(
          `Model '${slot.model.id}' does not fit the memory budget (${mb(budget)}) while the loaded models are busy; retry shortly.`,
        );
      }
      this.drop(idle, `to make room for '${slot.model.id}' (least recently used)`);
    }
  }

  private ensureLoaded(slot: Slot): Promise<NativeEngine> {
    slot.engine ??= this.startLoading(slot);
    return slot.engine;
  }

  private createEngine(model: InstalledModel, slot: Slot): Promise<NativeEngine> {
    const numThreads = this.options.numThreads;
    if (model.task === 'stt') {
      const options: RecognitionOptions = { task: 'transcribe' };
      slot.recognition = JSON.stringify(options);
      return sherpa.OfflineRecognizer.createAsync(model.family.recognizerConfig(model.files, options, numThreads));
    }
    return sherpa.OfflineTts.createAsync({
      model: { ...model.family.nativeModelConfig(model.files, model.capabilities), numThreads, debug: 0, provider: 'cpu' },
      maxNumSentences: 1,
    });
  }

  private startLoading(slot: Slot): Promise<NativeEngine> {
    this.makeRoom(slot);
    const { model } = slot;
    const log = this.options.logger;
    const started = performance.now();
    log.info({ model: model.id, family: model.family.id }, `loading model '${model.id}' (${model.family.displayName}) on first use`);
    return this.createEngine(model, slot).then(
      (engine) => {
        log.info({ model: model.id, ms: Math.round(performance.now() - started) }, `model '${model.id}' loaded`);
        return engine;
      },
      (error: unknown) => {
        slot.engine = undefined;
        log.error({ model: model.id, err: error }, `model '${model.id}' failed to load`);
        throw new ModelUnavailableError(`Model '${model.id}' failed to load: ${(error as Error).message}. Check the files in ${model.dir}.`);
      },
    );
  }
}
