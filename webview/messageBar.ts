/** The visible message bar (errors, warnings such as a run without a value signal, read-only notice, action replies) and the screen-reader announcer. */
import { h, icon } from './dom';
import { button } from './toolkit';

export type MessageKind = 'error' | 'warning' | 'info' | 'success';

const ICONS: Record<MessageKind, string> = { error: 'error', warning: 'warning', info: 'lock', success: 'check' };

export class MessageBar {
  readonly el = h('div', { class: 'message-bar', id: 'message-bar', role: 'status', attrs: { 'aria-live': 'polite' } });

  /** Shows `text`, replacing the message with the same key. */
  show(text: string, kind: MessageKind, key = 'msg'): void {
    this.clear(key);
    const close = button({ icon: 'close', title: 'Dismiss', onClick: () => item.remove() });
    const item = h('div', { class: `message ${kind}`, attrs: { 'data-key': key } }, icon(ICONS[kind]), h('span', { class: 'message-text' }, text), close);
    this.el.append(item);
  }

  clear(key: string): void {
    for (const el of this.el.querySelectorAll(`[data-key="${key}"]`)) el.remove();
  }
}

export class Announcer {
  readonly el = h('div', { class: 'sr-only', id: 'live-region', role: 'status', attrs: { 'aria-live': 'polite' } });

  say(text: string): void {
    // Re-setting identical text is not announced; clear first.
    this.el.textContent = '';
    requestAnimationFrame(() => (this.el.textContent = text));
  }
}
