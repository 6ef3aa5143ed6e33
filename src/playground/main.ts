import { ApiClient } from './api.js';
import { ApiKeyDialog } from './api-key.js';
import { CataloguePanel } from './catalogue-panel.js';
import { ClonePanel } from './clone-panel.js';
import { byId } from './dom.js';
import { Library } from './library.js';
import { LivePanel } from './live-panel.js';
import { SpeakPanel } from './speak-panel.js';
import { StatusPanel, type RequestTiming } from './status-panel.js';
import { TranscribePanel } from './transcribe-panel.js';
import { VoicesPanel } from './voices-panel.js';

const keys = new ApiKeyDialog();
const api = new ApiClient(keys);
const library = new Library(api);
const status = new StatusPanel(library);

/** After each request: its timing, and the models' state, which the request may have changed (a model loads on first use). */
function report(timing: RequestTiming): void {
  status.showTiming(timing);
  library.refreshModels().catch((error: unknown) => status.feedback.fail(error));
}

new SpeakPanel(api, library, report);
new ClonePanel(api, library, report);
new TranscribePanel(api, library, report);
new LivePanel(api, keys, library);
new VoicesPanel(api, library);
const catalogue = new CataloguePanel(api, library, status.feedback);

function load(): void {
  status.feedback.say('Loading models and voices…');
  Promise.all([library.refreshModels(), library.refreshVoices(), catalogue.refresh()]).then(
    () => status.feedback.say(''),
    (error: unknown) => status.feedback.fail(error),
  );
}

keys.onKey(load);
byId('status-refresh', HTMLButtonElement).addEventListener('click', () => void catalogue.refresh().catch((error: unknown) => status.feedback.fail(error)));
load();
