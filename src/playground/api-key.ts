import { ApiError, type KeySource } from './api.js';
import { byId } from './dom.js';

const STORAGE_KEY = 'vocable.api-key';

/**
 * The API key, kept in localStorage; when the server refuses it (or there is none), a modal form
 * asks for it. Requests refused at the same time share one question.
 */
export class ApiKeyDialog implements KeySource {
  private readonly dialog = byId('api-key-dialog', HTMLDialogElement);
  private readonly form = byId('api-key-form', HTMLFormElement);
  private readonly input = byId('api-key-input', HTMLInputElement);
  private readonly problem = byId('api-key-problem', HTMLElement);
  private readonly cancel = byId('api-key-cancel', HTMLButtonElement);
  /** Shown once the server has asked for a key, so the dialog can be opened again after Cancel. */
  private readonly reopen = byId('api-key-open', HTMLButtonElement);
  private readonly keyListeners: (() => void)[] = [];
  private pending: Promise<string> | undefined;

  constructor() {
    this.reopen.addEventListener('click', () => {
      this.ask().then(
        () => this.keyListeners.forEach((listener) => listener()),
        () => undefined,
      );
    });
  }

  /** Called when a key is entered from the header button, so what failed without one can be fetched again. */
  onKey(listener: () => void): void {
    this.keyListeners.push(listener);
  }

  current(): string | null {
    return localStorage.getItem(STORAGE_KEY);
  }

  ask(problem?: string): Promise<string> {
    this.pending ??= this.open(problem).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private open(problem: string | undefined): Promise<string> {
    const { dialog, form, input, cancel } = this;
    this.problem.textContent = problem ?? '';
    this.reopen.hidden = false;
    input.value = '';
    return new Promise<string>((resolve, reject) => {
      const finish = () => {
        form.removeEventListener('submit', onSubmit);
        dialog.removeEventListener('cancel', onCancel);
        cancel.removeEventListener('click', onCancel);
        dialog.close();
      };
      const onSubmit = (event: SubmitEvent) => {
        event.preventDefault();
        const key = input.value.trim();
        if (!key) return;
        localStorage.setItem(STORAGE_KEY, key);
        finish();
        resolve(key);
      };
      const onCancel = (event: Event) => {
        event.preventDefault();
        finish();
        reject(new ApiError('This server needs an API key: press “Enter API key” at the top of the page to enter it.', 401, 'missing_api_key'));
      };
      form.addEventListener('submit', onSubmit);
      dialog.addEventListener('cancel', onCancel);
      cancel.addEventListener('click', onCancel);
      dialog.showModal();
      input.focus();
    });
  }
}
