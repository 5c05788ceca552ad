/**
 * Every use of @vscode/webview-ui-toolkit lives here. The toolkit is deprecated upstream (since 2025-01-01), so the
 * rest of the panel only calls these factories; swapping the toolkit for plain elements or another library is a
 * change to this file alone.
 */
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDivider,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeProgressRing,
  vsCodeTextArea,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';

let registered = false;

export function registerToolkit(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(
    vsCodeButton(), vsCodeCheckbox(), vsCodeDivider(), vsCodeDropdown(), vsCodeOption(), vsCodeProgressRing(),
    vsCodeTextArea(), vsCodeTextField(),
  );
}

/** A form control with a string value (text field, text area, dropdown). */
export type ValueControl = HTMLElement & { value: string; disabled: boolean };
export type ButtonControl = HTMLElement & { disabled: boolean };
export type CheckboxControl = HTMLElement & { checked: boolean; disabled: boolean };

export interface ButtonOptions {
  label?: string;
  /** Codicon name without the `codicon-` prefix. */
  icon?: string;
  title: string;
  appearance?: 'primary' | 'secondary' | 'icon';
  onClick: (ev: MouseEvent) => void;
  id?: string;
}

export function button(o: ButtonOptions): ButtonControl {
  const b = document.createElement('vscode-button') as ButtonControl;
  b.setAttribute('appearance', o.appearance ?? (o.label ? 'secondary' : 'icon'));
  b.setAttribute('title', o.title);
  b.setAttribute('aria-label', o.title);
  if (o.id) b.id = o.id;
  if (o.icon) {
    const i = document.createElement('span');
    i.className = `codicon codicon-${o.icon}`;
    if (o.label) i.setAttribute('slot', 'start');
    b.append(i);
  }
  if (o.label) b.append(document.createTextNode(o.label));
  b.addEventListener('click', (ev) => {
    if (!b.disabled) o.onClick(ev);
  });
  return b;
}

export function dropdown<T extends string>(o: {
  options: readonly { value: T; label: string }[];
  value: T;
  ariaLabel: string;
  onChange?: (v: T) => void;
  id?: string;
}): ValueControl {
  const d = document.createElement('vscode-dropdown') as ValueControl;
  d.setAttribute('aria-label', o.ariaLabel);
  d.setAttribute('position', 'below');
  if (o.id) d.id = o.id;
  for (const opt of o.options) {
    const el = document.createElement('vscode-option') as HTMLElement & { value: string };
    el.setAttribute('value', opt.value);
    el.textContent = opt.label;
    if (opt.value === o.value) el.setAttribute('selected', '');
    d.append(el);
  }
  d.value = o.value;
  if (o.onChange) d.addEventListener('change', () => o.onChange?.(d.value as T));
  return d;
}

/**
 * The toolkit's text field / area overwrite `aria-label` when connected, with their text content or a generic
 * "Text field". So the accessible name goes in as text content (rendered in the control's label part), and the
 * `label-hidden` class hides that label visually where the panel shows its own.
 */
function labelled(el: HTMLElement, label: string): void {
  el.textContent = label;
  el.classList.add('label-hidden');
}

export function textField(o: {
  value?: string;
  placeholder?: string;
  ariaLabel: string;
  id?: string;
  size?: number;
  onInput?: (v: string) => void;
  onKeyDown?: (ev: KeyboardEvent) => void;
}): ValueControl {
  const f = document.createElement('vscode-text-field') as ValueControl;
  labelled(f, o.ariaLabel);
  if (o.placeholder) f.setAttribute('placeholder', o.placeholder);
  if (o.size) f.setAttribute('size', String(o.size));
  if (o.id) f.id = o.id;
  f.value = o.value ?? '';
  if (o.onInput) f.addEventListener('input', () => o.onInput?.(f.value));
  if (o.onKeyDown) f.addEventListener('keydown', (ev) => o.onKeyDown?.(ev as KeyboardEvent));
  return f;
}

export function textArea(o: { value: string; ariaLabel: string; rows?: number; id?: string }): ValueControl {
  const t = document.createElement('vscode-text-area') as ValueControl;
  labelled(t, o.ariaLabel);
  t.setAttribute('rows', String(o.rows ?? 6));
  t.setAttribute('resize', 'vertical');
  if (o.id) t.id = o.id;
  t.value = o.value;
  return t;
}

export function checkbox(o: { label: string; checked: boolean; onChange?: (v: boolean) => void; id?: string; title?: string }): CheckboxControl {
  const c = document.createElement('vscode-checkbox') as CheckboxControl;
  c.textContent = o.label;
  if (o.id) c.id = o.id;
  if (o.title) c.setAttribute('title', o.title);
  c.checked = o.checked;
  if (o.onChange) c.addEventListener('change', () => o.onChange?.(c.checked));
  return c;
}

/**
 * A plain element, not <vscode-badge>: that component's template sets an inline `style` attribute, which the
 * panel's CSP (no 'unsafe-inline') blocks. Styled with the same --vscode-badge-* variables in panel.css.
 */
export function badge(text: string, title?: string): HTMLElement {
  const b = document.createElement('span');
  b.className = 'badge';
  b.textContent = text;
  if (title) b.setAttribute('title', title);
  return b;
}

export function divider(): HTMLElement {
  const d = document.createElement('vscode-divider');
  d.setAttribute('role', 'separator');
  return d;
}

export function progressRing(label: string): HTMLElement {
  const p = document.createElement('vscode-progress-ring');
  p.setAttribute('aria-label', label);
  return p;
}
