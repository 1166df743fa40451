/**
 * The background effects a person can choose (background.ts draws them). Apart from the effect
 * itself so that settings and the lobby can name a choice without loading any of its code.
 */
export const BACKGROUNDS = ['none', 'blur-light', 'blur-strong', 'office', 'town-hall', 'colour'] as const;
export type Background = (typeof BACKGROUNDS)[number];

export function isBackground(value: unknown): value is Background {
  return typeof value === 'string' && (BACKGROUNDS as readonly string[]).includes(value);
}
