import { CONTROL_NAMES, NEUTRAL_VALUES, type ControlValues } from '../engine/controls.js';
import type { InstalledTtsModel } from '../engine/discovery.js';
import { requireLanguage } from '../engine/language.js';
import { InvalidRequestError } from '../errors.js';
import type { SpeechRequest } from './speech-request.js';

export interface CheckedControls {
  controls: ControlValues;
  language?: string;
}

/**
 * The request's generation controls, checked against what the model honours. A control the
 * model lacks is refused unless it is neutral, so a client never believes a setting took effect
 * when it did not; absent controls stay absent so the family's defaults apply.
 */
export function checkControls(request: SpeechRequest, model: InstalledTtsModel): CheckedControls {
  const specs = model.capabilities.controls;
  const controls: ControlValues = {};
  for (const name of CONTROL_NAMES) {
    const value = request[name];
    if (value === undefined) continue;
    const spec = specs[name];
    if (!spec) {
      if (value === NEUTRAL_VALUES[name]) continue;
      const honoured = CONTROL_NAMES.filter((n) => specs[n]);
      throw new InvalidRequestError(
        `Model '${model.id}' does not honour ${name}; omit it. Controls it takes: ${honoured.length > 0 ? honoured.join(', ') : 'none'}.`,
        name,
        'unsupported_control',
      );
    }
    if (value < spec.min || value > spec.max || (spec.type === 'integer' && !Number.isInteger(value))) {
      const kind = spec.type === 'integer' ? 'an integer' : 'a number';
      throw new InvalidRequestError(`${name} must be ${kind} from ${spec.min} to ${spec.max} for model '${model.id}'`, name, 'invalid_value');
    }
    controls[name] = value;
  }
  return { controls, language: checkLanguage(request.language, model) };
}

/** The language to pass to the engine: only when the family takes one per request. */
function checkLanguage(requested: string | undefined, model: InstalledTtsModel): string | undefined {
  if (requested === undefined) return undefined;
  const match = requireLanguage(requested, model.capabilities.languages, model.id);
  return model.family.takesLanguage ? match : undefined;
}
