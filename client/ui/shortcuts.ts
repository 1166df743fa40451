/**
 * Keyboard shortcuts of the call: which key does what, and when keys belong to a text field.
 */
export type ShortcutAction = 'mic' | 'cam' | 'hand' | 'chat' | 'help';

/** Key (as KeyboardEvent.key, lower case) → action. Space (push to talk) is handled apart. */
export const SHORTCUTS: ReadonlyArray<{ key: string; action: ShortcutAction }> = [
  { key: 'm', action: 'mic' },
  { key: 'v', action: 'cam' },
  { key: 'h', action: 'hand' },
  { key: 'c', action: 'chat' },
  { key: '?', action: 'help' },
];

/** True when the event's real target takes text (so letters must not trigger shortcuts). */
export function isTyping(event: KeyboardEvent): boolean {
  const target = event.composedPath()[0];
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(target.type);
  }
  return false;
}

/** True when Space would press something (a button, link, checkbox…) rather than talk. */
export function spaceActivates(event: KeyboardEvent): boolean {
  const target = event.composedPath()[0];
  return target instanceof HTMLElement && target.matches('button, a[href], input, select, textarea, summary, [role=button], [tabindex]');
}

/** The action for a key press, or null (typing, modifier keys, or no shortcut). */
export function shortcutFor(event: KeyboardEvent): ShortcutAction | null {
  if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event)) return null;
  return SHORTCUTS.find((s) => s.key === event.key.toLowerCase())?.action ?? null;
}
