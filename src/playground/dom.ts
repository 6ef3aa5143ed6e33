/** The element with this id, checked to be of the expected kind: a missing or renamed id fails at start, not later. */
export function byId<T extends HTMLElement>(id: string, kind: { new (): T; prototype: T }): T {
  const element = document.getElementById(id);
  if (!(element instanceof kind)) throw new Error(`The page has no ${kind.name} #${id}`);
  return element;
}

export function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

export interface OptionGroup {
  /** Shown as an `<optgroup>`; options go straight into the select when absent. */
  label?: string;
  options: { value: string; label: string }[];
}

/** Replaces a select's options, keeping the chosen value when it is still offered. */
export function fillSelect(select: HTMLSelectElement, groups: readonly OptionGroup[]): void {
  const previous = select.value;
  const nodes = groups
    .filter((group) => group.options.length > 0)
    .map((group) => {
      const options = group.options.map(({ value, label }) => new Option(label, value));
      if (group.label === undefined) return options;
      const optgroup = element('optgroup');
      optgroup.label = group.label;
      optgroup.append(...options);
      return [optgroup];
    });
  select.replaceChildren(...nodes.flat());
  const values = groups.flatMap((group) => group.options.map((o) => o.value));
  if (values.includes(previous)) select.value = previous;
}

/** Runs `task` with its button disabled and the panel marked busy, so a second press cannot start it twice. */
export async function whileBusy<T>(button: HTMLButtonElement, panel: HTMLElement, task: () => Promise<T>): Promise<T> {
  button.disabled = true;
  panel.setAttribute('aria-busy', 'true');
  try {
    return await task();
  } finally {
    button.disabled = false;
    panel.removeAttribute('aria-busy');
  }
}
