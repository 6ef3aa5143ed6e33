import type { ControlSpec, LanguageControl, TtsModel } from '../wire/models.js';
import { element } from './dom.js';

const LABELS: Record<string, string> = {
  temperature: 'Temperature',
  top_p: 'Top-p',
  top_k: 'Top-k',
  repetition_penalty: 'Repetition penalty',
  max_tokens: 'Max tokens',
  seed: 'Seed',
  num_steps: 'Steps',
  guidance_scale: 'Guidance scale',
};

type Field = { name: string; input: HTMLInputElement } | { name: 'language'; select: HTMLSelectElement };

const isControlSpec = (value: ControlSpec | LanguageControl | undefined): value is ControlSpec => value !== undefined && 'min' in value;

/**
 * Inputs for a speech model's optional settings: speed, language and the generation controls it
 * honours, each within its range. Left empty, a setting is not sent and the model's default holds.
 */
export class ControlsForm {
  private fields: Field[] = [];

  constructor(
    private readonly container: HTMLElement,
    private readonly wrapper: HTMLDetailsElement,
    private readonly idPrefix: string,
  ) {}

  render(model: TtsModel | undefined): void {
    this.fields = [];
    this.container.replaceChildren();
    if (model?.capabilities.speed) this.addNumber('speed', 'Speed', { type: 'number', min: 0.25, max: 4, default: 1 });
    const language = model?.capabilities.controls.language;
    if (language && language.values.length > 1) this.addLanguage(language);
    for (const [name, spec] of Object.entries(model?.capabilities.controls ?? {})) {
      if (isControlSpec(spec)) this.addNumber(name, LABELS[name] ?? name, spec);
    }
    this.wrapper.hidden = this.fields.length === 0;
  }

  /** The settings the person filled in, as `/v1/audio/speech` fields. */
  values(): Record<string, number | string> {
    const values: Record<string, number | string> = {};
    for (const field of this.fields) {
      if ('select' in field) {
        if (field.select.value) values[field.name] = field.select.value;
      } else if (field.input.value.trim() !== '' && Number.isFinite(field.input.valueAsNumber)) {
        values[field.name] = field.input.valueAsNumber;
      }
    }
    return values;
  }

  private addNumber(name: string, label: string, spec: ControlSpec): void {
    const input = element('input');
    input.type = 'number';
    input.id = `${this.idPrefix}-${name}`;
    input.min = String(spec.min);
    input.max = String(spec.max);
    input.step = spec.type === 'integer' ? '1' : 'any';
    input.inputMode = spec.type === 'integer' ? 'numeric' : 'decimal';
    input.placeholder = spec.default !== undefined ? String(spec.default) : name === 'seed' ? 'random' : '';
    this.fields.push({ name, input });
    this.addField(input.id, `${label} (${spec.min}–${spec.max})`, input);
  }

  private addLanguage(language: LanguageControl): void {
    const select = element('select');
    select.id = `${this.idPrefix}-language`;
    select.append(new Option(`Model default (${language.default})`, ''), ...language.values.map((v) => new Option(v, v)));
    this.fields.push({ name: 'language', select });
    this.addField(select.id, 'Language', select);
  }

  private addField(id: string, text: string, control: HTMLElement): void {
    const label = element('label', text);
    label.htmlFor = id;
    const field = element('div', undefined, 'field');
    field.append(label, control);
    this.container.append(field);
  }
}
