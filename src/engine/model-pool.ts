import type { ModelState } from '../wire/models.js';
import type { FastifyBaseLogger } from 'fastify';
import type { BrokenModel, Discovery, InstalledModel, InstalledSpeakerModel, InstalledSttModel, InstalledTtsModel } from './discovery.js';
import { inspectModelFolder } from './discovery.js';
import { JobQueue, QueueFullError } from './job-queue.js';
import { MAX_RETRY_AFTER_MS, RetrySchedule } from './retry-schedule.js';
import type { ModelAlias, ModelAliases } from './model-aliases.js';
import { sherpa, type NativeOfflineTts, type NativeSpeakerDiarization } from '../native/sherpa.js';
import { SpeakerEmbedder } from './speaker-embedder.js';
import { ThreadedRecognizer } from './threaded-recognizer.js';
import type { RecognitionOptions } from './stt-family.js';
import { VocableError, InvalidRequestError, ModelNotFoundError, ModelUnavailableError, ServiceBusyError } from '../errors.js';

type NativeEngine = NativeOfflineTts | ThreadedRecognizer | NativeSpeakerDiarization | SpeakerEmbedder;

/**
 * Cosine distance under which the diarizer's clustering merges two voices. sherpa-onnx's default;
 * its own tests raise it (0.9) for models whose embeddings spread more.
 */
export const DIARIZATION_CLUSTER_THRESHOLD = 0.5;

export interface ModelPoolOptions {
  numThreads: number;
  /** Engines per model (and per recognizer config) that run jobs side by side; 1 unless set. */
  instances?: number;
  maxQueue: number;
  /** Loaded models may hold this much (estimated from their files) before the least recently used unloads. */
  memoryBudgetBytes: number;
  /** Unload a model unused this long; 0 keeps it. */
  idleUnloadSeconds: number;
  logger: FastifyBaseLogger;
  /** What to tell a client asking for a model that is not installed (e.g. one being pulled). */
  explainMissing?: (id: string) => VocableError | undefined;
  /** Names that stand for installed models (OpenAI's `tts-1`, `whisper-1`, …). */
  aliases?: ModelAliases;
}

/** One native engine of a model, loaded or loading. */
interface LoadedEngine {
  engine: Promise<NativeEngine>;
  /** What it was made for, for the logs (a recognizer's options). */
  purpose: string;
  lastUsed: number;
}

/** An engine a job needs: the key it is kept under, and how to make it. */
interface EngineRequest {
  key: string;
  purpose: string;
  create: (key: string) => Promise<NativeEngine>;
}

export interface Slot {
  model: InstalledModel;
  queue: JobQueue;
  /** The turns given to clients refused while the queue is full. */
  retries: RetrySchedule;
  /** Requests let in (between `admit` and their release): each may queue several jobs over its life, one at a time. */
  admitted: number;
  /**
   * The model's loaded engines, by the config they were made with: one, or for a speech-to-text
   * family whose features are fixed when its recognizer is made, one per distinct config.
   */
  engines: Map<string, LoadedEngine>;
  /** The recognition options each reconfigurable recognizer is set to, by engine key (speech-to-text only). */
  recognition: Map<string, string>;
  lastUsed: number;
  idleTimer?: NodeJS.Timeout;
}

/** Stops what garbage collection does not: the worker threads of recognizers and speaker embedders. */
function closeEngine(loaded: LoadedEngine): void {
  void loaded.engine.then((engine) => (engine instanceof SpeakerEmbedder || engine instanceof ThreadedRecognizer) && engine.close(), () => undefined);
}

/** The key of a model's only engine (text-to-speech, or a recognizer that takes any config). */
const ONLY_ENGINE = '';

/** Each instance of a model (a lane of its queue) has engines of its own. */
const laneKey = (key: string, lane: number) => (lane === 0 ? key : `${key}#${lane}`);

export type { ModelState };

const MB = 1024 * 1024;
const mb = (bytes: number) => `${Math.round(bytes / MB)} MB`;
const seconds = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 0);
/** How often a place in a slot's queue frees: a job's mean time spread over its lanes. */
const turnMs = (slot: Slot) => (slot.queue.meanJobSeconds * 1000) / slot.queue.lanes;

/**
 * The installed models. A model is loaded (with the engine's async factory) on first use; its
 * jobs run one at a time through its own bounded queue. Loaded models stay within a memory
 * budget by unloading the least recently used idle one, and may unload after an idle time. A
 * model with a job running or waiting is never unloaded.
 *
 * sherpa-onnx's `setConfig` replaces a recognizer's whole config, and most recognizers set their
 * feature options (SenseVoice's unnormalised samples and Hamming window, NeMo's normalisation)
 * only when created, so a reconfigured one would compute the wrong features from then on. So a
 * family that is not `reconfigurable` gets one recognizer per distinct config it asks for, made
 * on first use; each counts against the memory budget and the least recently used goes first.
 */
export class ModelPool {
  private readonly slots = new Map<string, Slot>();
  private readonly broken = new Map<string, BrokenModel>();
  /** The turns given to requests refused because every model of their task is full (busyFor). */
  private readonly taskRetries = new Map<InstalledModel['task'], RetrySchedule>();
  /** The Silero VAD model transcription segments audio with, when one is installed. */
  vadModel?: string;

  constructor(discovery: Discovery, private readonly options: ModelPoolOptions) {
    this.update(discovery);
  }

  /** Takes in a fresh discovery (after a pull): new folders become models; loaded ones stay. */
  update(discovery: Discovery): void {
    for (const model of discovery.models) {
      if (!this.slots.has(model.id)) this.slots.set(model.id, { model, queue: new JobQueue(this.options.maxQueue, this.options.instances ?? 1), retries: new RetrySchedule(), admitted: 0, engines: new Map(), recognition: new Map(), lastUsed: 0 });
    }
    this.broken.clear();
    for (const problem of discovery.broken) this.broken.set(problem.id, problem);
    this.vadModel = discovery.vadModel;
  }

  list(): InstalledModel[] {
    return [...this.slots.values()].map((s) => s.model);
  }

  /** The aliases that lead to installed models. */
  listAliases(): ModelAlias[] {
    return this.options.aliases?.list(this.list()) ?? [];
  }

  state(id: string): ModelState {
    const slot = this.slot(id);
    return { loaded: slot.engines.size > 0, memory_bytes: slot.model.sizeBytes * Math.max(1, slot.engines.size), queue_depth: slot.queue.depth };
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
  runStt<T>(id: string, options: RecognitionOptions, job: (recognizer: ThreadedRecognizer) => Promise<T>): Promise<T> {
    const model = this.getStt(id);
    const config = model.family.recognizerConfig(model.files, options, this.options.numThreads);
    const wanted = JSON.stringify(options);
    if (!model.family.reconfigurable) {
      const recognizer: EngineRequest = { key: JSON.stringify(config), purpose: `recognizer for ${wanted}`, create: () => ThreadedRecognizer.create(config) };
      return this.runOn(id, recognizer, (engine) => job(engine as ThreadedRecognizer));
    }
    return this.run(id, async (engine, slot, key) => {
      const recognizer = engine as ThreadedRecognizer;
      // One job at a time per engine, so reconfiguring here cannot disturb another request.
      if (slot.recognition.get(key) !== wanted) {
        recognizer.setConfig(config);
        slot.recognition.set(key, wanted);
      }
      return job(recognizer);
    });
  }

  /** The installed speaker model of `task` (the first by name), if any. */
  speakerModel(task: 'segmentation' | 'embedding'): InstalledSpeakerModel | undefined {
    return this.list()
      .filter((m): m is InstalledSpeakerModel => m.task === task)
      .sort((a, b) => a.id.localeCompare(b.id))[0];
  }

  /** Runs `job` on the diarizer built on segmentation model `id` (with the installed embedding model). */
  runDiarization<T>(id: string, job: (diarizer: NativeSpeakerDiarization) => Promise<T>): Promise<T> {
    return this.run(id, (engine) => job(engine as NativeSpeakerDiarization));
  }

  /** Runs `job` on speaker-embedding model `id`. */
  runEmbedding<T>(id: string, job: (embedder: SpeakerEmbedder) => Promise<T>): Promise<T> {
    return this.run(id, (engine) => job(engine as SpeakerEmbedder));
  }

  /** Runs `job` with model `id` loaded (its first engine), after the jobs queued before it. */
  run<T>(id: string, job: (engine: NativeEngine, slot: Slot, key: string) => Promise<T>): Promise<T> {
    return this.runOn(id, this.firstEngine(this.slot(id)), job);
  }

  private async runOn<T>(id: string, wanted: EngineRequest, job: (engine: NativeEngine, slot: Slot, key: string) => Promise<T>): Promise<T> {
    const slot = this.slot(id);
    clearTimeout(slot.idleTimer);
    try {
      return await slot.queue.run(async (lane) => {
        const key = laneKey(wanted.key, lane);
        return job(await this.ensureLoaded(slot, wanted, key), slot, key);
      });
    } catch (error) {
      if (error instanceof QueueFullError) throw this.busy(slot, error.message);
      throw error;
    } finally {
      slot.lastUsed = performance.now();
      this.scheduleIdleUnload(slot);
    }
  }

  /**
   * Lets a request for model `id` in, or refuses it at once (503) when as many requests as the
   * model runs and queues are already in, before it spends work on its input. A request holds
   * its place until `release` (its response ends), over all the jobs it queues: a transcription
   * queues one per segment, and its place must not go to another between two of them.
   */
  admit(id: string): () => void {
    const slot = this.slot(id);
    if (this.atCapacity(slot)) throw this.busy(slot, `${this.inFlight(slot)} requests are running or waiting`);
    slot.admitted += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      slot.admitted -= 1;
    };
  }

  /**
   * The 503 `admit(id)` would give now, or undefined while model `id` has room. An id no model
   * answers to is not refused here: the request's own checks say what is wrong with it.
   */
  refusalFor(id: string): ServiceBusyError | undefined {
    let slot: Slot;
    try {
      slot = this.slot(id);
    } catch {
      return undefined;
    }
    return this.atCapacity(slot) ? this.busy(slot, `${this.inFlight(slot)} requests are running or waiting`) : undefined;
  }

  /**
   * The 503 for a request that any model of `task` would refuse, or undefined while one has room
   * (or none is installed). Its body unread, the model it wants is unknown: its turn comes from
   * the task's own schedule, at the rate all of the task's models free places together.
   */
  busyFor(task: InstalledModel['task']): ServiceBusyError | undefined {
    const slots = [...this.slots.values()].filter((s) => s.model.task === task);
    if (slots.length === 0 || !slots.every((s) => this.atCapacity(s))) return undefined;
    const placesPerMs = slots.reduce((sum, slot) => sum + (turnMs(slot) > 0 ? 1 / turnMs(slot) : 0), 0);
    let schedule = this.taskRetries.get(task);
    if (!schedule) this.taskRetries.set(task, (schedule = new RetrySchedule()));
    const waitMs = schedule.book(placesPerMs > 0 ? 1 / placesPerMs : 0);
    const what = task === 'tts' ? 'text-to-speech' : 'speech-to-text';
    return new ServiceBusyError(`Every ${what} model is busy: ${slots.length > 1 ? 'all are' : 'it is'} running or queueing as many requests as they may. Retry in ${seconds(waitMs)} s, or raise VOCABLE_MAX_QUEUE (now ${this.options.maxQueue}).`, waitMs);
  }

  /** Requests in, or jobs queued by callers that do not ask to be let in (a saved voice's transcript). */
  private inFlight(slot: Slot): number {
    return Math.max(slot.admitted, slot.queue.depth);
  }

  private atCapacity(slot: Slot): boolean {
    return slot.admitted >= this.options.maxQueue + slot.queue.lanes || slot.queue.full;
  }

  /** A full queue: the client is given the next turn, when a place in the queue should be free (RetrySchedule). */
  private busy(slot: Slot, detail: string): ServiceBusyError {
    const waitMs = slot.retries.book(turnMs(slot));
    return new ServiceBusyError(`Model '${slot.model.id}' is busy: ${detail}. Retry in ${seconds(waitMs)} s, or raise VOCABLE_MAX_QUEUE (now ${this.options.maxQueue}).`, waitMs);
  }

  /** Loads model `id` now (operators warming a model). */
  async load(id: string): Promise<void> {
    const slot = this.slot(id);
    const first = this.firstEngine(slot);
    await this.ensureLoaded(slot, first, laneKey(first.key, 0));
    slot.lastUsed = performance.now();
    this.scheduleIdleUnload(slot);
  }

  /** Unloads model `id`; refused while it has jobs, which would otherwise wait on a reload. */
  unload(id: string): void {
    const slot = this.slot(id);
    if (slot.queue.depth > 0) {
      throw new VocableError('model_busy', `Model '${id}' has ${slot.queue.depth} job(s) running or waiting; unload it when it is idle.`, 'model');
    }
    this.drop(slot, 'on request');
  }

  close(): void {
    for (const slot of this.slots.values()) clearTimeout(slot.idleTimer);
  }

  private slot(id: string): Slot {
    const slot = this.slots.get(id);
    if (slot) return slot;
    const target = this.options.aliases?.resolve(id, this.list());
    if (target !== undefined && target !== id) return this.slot(target);
    const problem = this.broken.get(id);
    if (problem) throw new ModelUnavailableError(`Model '${id}' is installed but cannot be used: ${problem.reason}.`);
    throw this.options.explainMissing?.(id) ?? new ModelNotFoundError(id, [...this.slots.keys()]);
  }

  /** Unloads all of a model's engines. */
  private drop(slot: Slot, why: string): void {
    clearTimeout(slot.idleTimer);
    if (slot.engines.size === 0) return;
    // sherpa-onnx frees the native model when the handle is garbage-collected; a worker must be stopped.
    for (const loaded of slot.engines.values()) closeEngine(loaded);
    slot.engines.clear();
    this.options.logger.info({ model: slot.model.id }, `model '${slot.model.id}' unloaded ${why}`);
  }

  private dropEngine(slot: Slot, key: string, why: string): void {
    const loaded = slot.engines.get(key);
    if (!loaded) return;
    slot.engines.delete(key);
    closeEngine(loaded);
    this.options.logger.info({ model: slot.model.id }, `model '${slot.model.id}' (${loaded.purpose}) unloaded ${why}`);
  }

  private scheduleIdleUnload(slot: Slot): void {
    clearTimeout(slot.idleTimer);
    if (this.options.idleUnloadSeconds <= 0 || slot.engines.size === 0) return;
    slot.idleTimer = setTimeout(() => {
      if (slot.queue.depth === 0) this.drop(slot, `after ${this.options.idleUnloadSeconds} s idle`);
    }, this.options.idleUnloadSeconds * 1000);
    slot.idleTimer.unref();
  }

  /**
   * Unloads idle engines, least recently used first, until one more engine of `slot` fits the
   * budget. The model's own other engines count as idle: its jobs run one at a time.
   */
  private makeRoom(slot: Slot): void {
    const budget = this.options.memoryBudgetBytes;
    const size = slot.model.sizeBytes;
    if (size > budget) {
      throw new ModelUnavailableError(`Model '${slot.model.id}' needs about ${mb(size)}, more than the memory budget of ${mb(budget)}; raise VOCABLE_MEMORY_BUDGET_BYTES.`);
    }
    const loaded = () => [...this.slots.values()].flatMap((s) => [...s.engines].map(([key, engine]) => ({ slot: s, key, engine })));
    const used = () => loaded().reduce((sum, e) => sum + e.slot.model.sizeBytes, 0);
    while (used() + size > budget) {
      const idle = loaded()
        .filter((e) => e.slot === slot || e.slot.queue.depth === 0)
        .sort((a, b) => a.engine.lastUsed - b.engine.lastUsed)[0];
      if (!idle) {
        const soonest = Math.min(...loaded().map((e) => e.slot.queue.expectedWaitSeconds));
        throw new ServiceBusyError(
          `Model '${slot.model.id}' does not fit the memory budget (${mb(budget)}) while the loaded models are busy; retry shortly.`,
          Math.min(MAX_RETRY_AFTER_MS, Math.max(1000, Math.ceil(soonest * 1000))),
        );
      }
      const why = `to make room for '${slot.model.id}' (least recently used)`;
      if (idle.slot.engines.size === 1) this.drop(idle.slot, why);
      else this.dropEngine(idle.slot, idle.key, why);
    }
  }

  /** The engine a model loads first: its text-to-speech engine, or a recognizer set to transcribe. */
  private firstEngine(slot: Slot): EngineRequest {
    const { model } = slot;
    const numThreads = this.options.numThreads;
    if (model.task === 'tts') {
      const config = { model: { ...model.family.nativeModelConfig(model.files, model.capabilities), numThreads, debug: 0, provider: 'cpu' }, maxNumSentences: 1 };
      return { key: ONLY_ENGINE, purpose: 'speech', create: async () => sherpa.OfflineTts.createAsync(config) };
    }
    if (model.task === 'embedding') {
      const config = { model: model.files.model!, numThreads, debug: 0, provider: 'cpu' };
      return { key: ONLY_ENGINE, purpose: 'speaker embeddings', create: () => SpeakerEmbedder.load(config) };
    }
    if (model.task !== 'stt') return { key: ONLY_ENGINE, purpose: 'diarization', create: async () => this.createDiarizer(model) };
    const options: RecognitionOptions = { task: 'transcribe' };
    const config = model.family.recognizerConfig(model.files, options, numThreads);
    const wanted = JSON.stringify(options);
    return {
      key: model.family.reconfigurable ? ONLY_ENGINE : JSON.stringify(config),
      purpose: `recognizer for ${wanted}`,
      create: async (key) => {
        slot.recognition.set(key, wanted);
        return ThreadedRecognizer.create(config);
      },
    };
  }

  private ensureLoaded(slot: Slot, wanted: EngineRequest, key: string): Promise<NativeEngine> {
    let loaded = slot.engines.get(key);
    if (!loaded) {
      this.makeRoom(slot);
      loaded = { engine: this.startLoading(slot, wanted, key), purpose: wanted.purpose, lastUsed: performance.now() };
      slot.engines.set(key, loaded);
    }
    loaded.lastUsed = performance.now();
    return loaded.engine;
  }

  /**
   * Inspects the folder again before the engine opens it: files changed since discovery (a
   * voices.bin cut short, a model swapped) could otherwise make the native code end the process.
   */
  private async stillUsable(model: InstalledModel): Promise<void> {
    const found = await inspectModelFolder(model.id, model.dir);
    if (!('task' in found)) throw new Error(found.reason);
    if (found.family !== model.family) throw new Error(`the folder now holds a ${found.family.displayName} model, not ${model.family.displayName}`);
  }

  private startLoading(slot: Slot, wanted: EngineRequest, key: string): Promise<NativeEngine> {
    const { model } = slot;
    const log = this.options.logger;
    const started = performance.now();
    const another = slot.engines.size > 0 ? ` (another ${wanted.purpose})` : '';
    log.info({ model: model.id, family: model.family.id }, `loading model '${model.id}' (${model.family.displayName})${another} on first use`);
    const loading: Promise<NativeEngine> = this.stillUsable(model).then(() => wanted.create(key)).then(
      (engine) => {
        log.info({ model: model.id, ms: Math.round(performance.now() - started) }, `model '${model.id}' loaded`);
        // A recognizer whose thread is gone (crashed; an unload has already let it go) is forgotten, so the next job loads it again.
        if (engine instanceof ThreadedRecognizer) {
          engine.onStopped(() => {
            if (slot.engines.get(key)?.engine !== loading) return;
            slot.engines.delete(key);
            log.warn({ model: model.id }, `model '${model.id}': its recognizer thread stopped; the next request loads it again`);
          });
        }
        return engine;
      },
      (error: unknown) => {
        slot.engines.delete(key);
        log.error({ model: model.id, err: error }, `model '${model.id}' failed to load`);
        throw new ModelUnavailableError(`Model '${model.id}' failed to load: ${(error as Error).message}. Check the files in ${model.dir}.`);
      },
    );
    return loading;
  }

  /** sherpa-onnx has no async factory for the diarizer; its two models are small (6 MB and up to 30-odd MB). */
  private createDiarizer(segmentation: InstalledSpeakerModel): NativeSpeakerDiarization {
    const embedding = this.speakerModel('embedding');
    if (!embedding) throw new Error('diarization also needs a speaker-embedding model; none is installed (vocable pull 3dspeaker-campplus-en)');
    const numThreads = this.options.numThreads;
    return new sherpa.OfflineSpeakerDiarization({
      segmentation: { pyannote: { model: segmentation.files.model! }, numThreads, debug: 0, provider: 'cpu' },
      embedding: { model: embedding.files.model!, numThreads, debug: 0, provider: 'cpu' },
      clustering: { numClusters: -1, threshold: DIARIZATION_CLUSTER_THRESHOLD },
      minDurationOn: 0.3,
      minDurationOff: 0.5,
    });
  }
}
