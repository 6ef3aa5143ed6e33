import type { ApiClient } from './api.js';
import type { CatalogueList as Catalogue, CatalogueListing as CatalogueEntry } from '../wire/catalogue.js';
import { byId, element } from './dom.js';
import { Feedback } from './feedback.js';
import type { Library } from './library.js';

/** How often the catalogue is read again while something downloads. */
const POLL_MS = 700;

function megabytes(bytes: number | null | undefined): string {
  return bytes ? `${Math.max(1, Math.round(bytes / (1024 * 1024)))} MB` : '';
}

function describePull(entry: CatalogueEntry): string {
  const progress = entry.progress;
  if (!progress || progress.phase === 'start') return 'starting…';
  if (progress.phase !== 'download') return progress.phase === 'verify' ? 'verifying…' : 'unpacking…';
  const total = progress.total_bytes ?? entry.size_bytes;
  const received = progress.received_bytes ?? 0;
  return total ? `downloading ${Math.floor((100 * received) / total)}% of ${megabytes(total)}` : `downloading, ${megabytes(received)}`;
}

/**
 * What can be pulled (`GET /v1/catalogue`): installed, downloading with its progress, or a Pull
 * button. While anything downloads the list is read again; when a pull lands, the models (and
 * saved voices, for a voice pack) are refreshed so the new model is ready to pick.
 */
export class CataloguePanel {
  private readonly body = byId('catalogue-body', HTMLTableSectionElement);
  private readonly summary = byId('catalogue-summary', HTMLElement);
  private entries: CatalogueEntry[] = [];
  /** Errors from a Pull button, shown in its row until it is pressed again. */
  private readonly failures = new Map<string, string>();
  private requested = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly api: ApiClient,
    private readonly library: Library,
    private readonly feedback: Feedback,
  ) {}

  async refresh(): Promise<void> {
    const wasPulling = new Set(this.entries.filter((e) => e.pulling).map((e) => e.id));
    const catalogue = await this.api.getJson<Catalogue>('/v1/catalogue');
    this.entries = [...catalogue.data, ...(catalogue.voice_packs ?? [])];
    this.render();
    const landed = this.entries.some((e) => (wasPulling.has(e.id) || this.requested.has(e.id)) && e.installed);
    for (const entry of this.entries) if (entry.installed) this.requested.delete(entry.id);
    if (landed) await Promise.all([this.library.refreshModels(), this.library.refreshVoices()]);
    this.schedule();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    const busy = this.entries.some((e) => e.pulling) || this.requested.size > 0;
    if (busy) this.timer = setTimeout(() => this.refresh().catch((error: unknown) => this.feedback.fail(error)), POLL_MS);
  }

  private pull(id: string): void {
    this.failures.delete(id);
    this.requested.add(id);
    this.api.postJson('/v1/models/pull', { model: id, stream: false }).then(
      () => this.refresh(),
      (error: unknown) => {
        this.requested.delete(id);
        this.failures.set(id, error instanceof Error ? error.message : String(error));
        this.render();
      },
    ).catch((error: unknown) => this.feedback.fail(error));
    this.render();
    this.schedule();
  }

  private render(): void {
    this.body.replaceChildren(...this.entries.map((entry) => this.row(entry)));
    const pulling = this.entries.filter((e) => e.pulling).map((e) => e.id);
    this.summary.textContent = pulling.length > 0 ? `Downloading: ${pulling.join(', ')}. The list refreshes until it lands.` : `${this.entries.filter((e) => e.installed).length} of ${this.entries.length} installed.`;
  }

  private row(entry: CatalogueEntry): HTMLTableRowElement {
    const row = element('tr');
    row.dataset.model = entry.id;
    const name = element('th', entry.id);
    name.scope = 'row';
    name.title = entry.description;
    const state = element('td', undefined, 'state-cell');
    if (entry.installed) {
      state.append(element('span', 'installed', 'state loaded'));
    } else if (entry.pulling || this.requested.has(entry.id)) {
      state.append(element('span', describePull(entry), 'state pulling'));
      if (entry.progress?.phase === 'download' && (entry.progress.total_bytes ?? entry.size_bytes)) {
        const bar = element('progress');
        bar.max = entry.progress.total_bytes ?? entry.size_bytes ?? 1;
        bar.value = entry.progress.received_bytes ?? 0;
        bar.setAttribute('aria-label', `${entry.id} download`);
        state.append(bar);
      }
    } else {
      const button = element('button', 'Pull', 'secondary small');
      button.type = 'button';
      button.setAttribute('aria-label', `Pull ${entry.id}`);
      button.addEventListener('click', () => this.pull(entry.id));
      state.append(button);
    }
    const failure = this.failures.get(entry.id);
    if (failure) {
      const alert = element('p', failure, 'error');
      alert.setAttribute('role', 'alert');
      state.append(alert);
    }
    row.append(name, element('td', megabytes(entry.size_bytes), 'number'), state);
    return row;
  }
}
