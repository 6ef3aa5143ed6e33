import { byId, element } from './dom.js';
import { Feedback } from './feedback.js';
import type { Library } from './library.js';

/** What the status panel shows of the last request. */
export interface RequestTiming {
  action: string;
  model: string;
  audioSeconds: number;
  wallSeconds: number;
}

const TASK_NAMES = { tts: 'speech', stt: 'transcription', segmentation: 'speaker segmentation', embedding: 'speaker embeddings' } as const;

function size(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  if (mb >= 10) return `${Math.round(mb)} MB`;
  return mb >= 1 ? `${mb.toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** The installed models with their loaded state and memory, and how fast the last request ran. */
export class StatusPanel {
  private readonly models = byId('models-body', HTMLTableSectionElement);
  private readonly summary = byId('models-summary', HTMLElement);
  private readonly lastRequest = byId('last-request', HTMLElement);
  readonly feedback = new Feedback(byId('server-status-message', HTMLElement), byId('server-error', HTMLElement));

  constructor(private readonly library: Library) {
    library.onChange(() => this.renderModels());
    byId('status-refresh', HTMLButtonElement).addEventListener('click', () => {
      this.library.refreshModels().then(() => this.feedback.say('Models refreshed.'), (error: unknown) => this.feedback.fail(error));
    });
  }

  showTiming(timing: RequestTiming): void {
    const speed = timing.wallSeconds > 0 ? timing.audioSeconds / timing.wallSeconds : 0;
    const rows: [string, string][] = [
      ['Request', `${timing.action} · ${timing.model}`],
      ['Took', `${timing.wallSeconds.toFixed(2)} s`],
      ['Audio', `${timing.audioSeconds.toFixed(2)} s`],
      ['Speed', `${speed.toFixed(1)}× real time`],
    ];
    this.lastRequest.replaceChildren(...rows.flatMap(([term, value]) => [element('dt', term), element('dd', value)]));
  }

  private renderModels(): void {
    const rows = this.library.models.map((model) => {
      const row = element('tr');
      const name = element('th', model.id);
      name.scope = 'row';
      const state = element('td', model.loaded ? 'loaded' : 'not loaded', model.loaded ? 'state loaded' : 'state');
      row.append(name, element('td', TASK_NAMES[model.capabilities.task]), state, element('td', size(model.memory_bytes), 'number'));
      return row;
    });
    if (rows.length === 0) {
      const cell = element('td', 'No models installed: pull one with “vocable pull”.');
      cell.colSpan = 4;
      const row = element('tr');
      row.append(cell);
      rows.push(row);
    }
    this.models.replaceChildren(...rows);
    const loaded = this.library.models.filter((m) => m.loaded).length;
    this.summary.textContent = `${count(this.library.models.length, 'model')} installed, ${loaded} loaded; ${count(this.library.voices.length, 'saved voice')}.`;
  }
}
