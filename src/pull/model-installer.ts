import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Catalogue } from '../catalogue/catalogue.js';
import { VocableError, ModelNotInstalledError, ModelUnavailableError, PermissionError } from '../errors.js';
import { pullModel, type PullOutcome, type PullProgress } from './pull-model.js';
import { pullVoicePack } from './pull-voice-pack.js';
import type { VoicePacks } from '../catalogue/voice-packs.js';
import type { Transcriber } from '../voices/save-voice.js';
import type { VoiceStore } from '../voices/voice-store.js';

interface RunningPull {
  latest?: PullProgress;
  listeners: Set<(progress: PullProgress) => void>;
  done: Promise<PullOutcome>;
}

/** A short human account of a pull's progress, e.g. "downloading, 42% of 120 MB". */
export function describeProgress(progress: PullProgress | undefined): string {
  if (!progress) return 'starting';
  if (progress.phase !== 'download') return progress.phase === 'verify' ? 'verifying' : 'unpacking';
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  return progress.totalBytes ? `downloading, ${Math.floor((100 * progress.receivedBytes) / progress.totalBytes)}% of ${mb(progress.totalBytes)}` : `downloading, ${mb(progress.receivedBytes)}`;
}

/**
 * Pulls catalogue models into the models folder for the server: one pull per model at a time
 * (a second request for the same model follows the first), the server's model list refreshed
 * after each install, and what clients should hear about a model that is downloading or whose
 * pull failed.
 */
export class ModelInstaller {
  private readonly running = new Map<string, RunningPull>();
  private readonly failures = new Map<string, string>();

  constructor(
    readonly catalogue: Catalogue,
    private readonly modelsDir: string,
    private readonly onInstalled: () => Promise<void>,
    /** Voice packs pulled by id like models, installed as saved voices in `store`. */
    readonly voicePacks?: { packs: VoicePacks; store: VoiceStore; transcriber: () => Transcriber | undefined },
    /** `--offline`: the server makes no outbound connection, so every pull is refused. */
    private readonly offline = false,
  ) {}

  /** Throws before anything starts when the server runs offline (`--offline`), so a streamed pull gets a plain 403. */
  refuseIfOffline(id: string): void {
    if (this.offline) {
      throw new PermissionError(`This server runs offline (--offline) and downloads nothing: pull '${id}' with \`vocable pull ${id}\` on a machine with network, or restart the server without --offline.`, 'model', 'offline');
    }
  }

  /** Pulls `id` (a catalogue id, or a voice pack's), reporting progress to `onProgress`; joins a pull already under way. */
  pull(id: string, onProgress?: (progress: PullProgress) => void): Promise<PullOutcome> {
    const pack = this.voicePacks?.packs.find(id);
    const entry = pack ? undefined : this.catalogue.require(id);
    try {
      this.refuseIfOffline(id);
    } catch (error) {
      return Promise.reject(error);
    }
    let pull = this.running.get(id);
    if (!pull) {
      const listeners = new Set<(progress: PullProgress) => void>();
      const started: RunningPull = { listeners, done: Promise.resolve('installed') };
      const options = {
        onProgress: (progress: PullProgress) => {
          started.latest = progress;
          for (const listener of listeners) listener(progress);
        },
      };
      const packs = this.voicePacks;
      started.done = (pack && packs
        ? pullVoicePack(pack, packs.store, { ...options, downloadsDir: join(this.modelsDir, '.downloads'), transcriber: packs.transcriber() })
        : pullModel(entry!, this.modelsDir, options))
        .then(async (outcome) => {
          this.failures.delete(id);
          await this.onInstalled();
          return outcome;
        })
        .catch((error: unknown) => {
          this.failures.set(id, (error as Error).message);
          throw error;
        })
        .finally(() => this.running.delete(id));
      this.running.set(id, started);
      pull = started;
    }
    if (onProgress) {
      pull.listeners.add(onProgress);
      void pull.done.finally(() => pull.listeners.delete(onProgress)).catch(() => undefined);
    }
    return pull.done;
  }

  /** Why model `id` is not usable, when the catalogue knows it: downloading or failed (503), or not pulled (404). */
  explainMissing(id: string): VocableError | undefined {
    const pull = this.running.get(id);
    if (pull) return new ModelUnavailableError(`Model '${id}' is being pulled (${describeProgress(pull.latest)}); try again when it finishes.`);
    const failure = this.failures.get(id);
    if (failure) return new ModelUnavailableError(`Model '${id}' is not installed: pulling it failed. ${failure}`);
    return this.catalogue.find(id) ? new ModelNotInstalledError(id) : undefined;
  }

  /** Whether catalogue model `id` has its folder in the models folder (a pull puts it there whole). */
  isInstalled(id: string): boolean {
    return existsSync(join(this.modelsDir, id));
  }

  /** Progress of the pull of `id`, if one is under way. */
  progress(id: string): { pulling: boolean; progress?: PullProgress } {
    const pull = this.running.get(id);
    return pull ? { pulling: true, progress: pull.latest } : { pulling: false };
  }
}
