/**
 * A deployment's brand colour (config.json, checked in signaling/runtime-config.ts) as the app's
 * accent: it replaces --runde-accent and its hover on the root element, so every primary button
 * of every screen takes it. The hover is the same colour darker, so white text on it keeps at
 * least the contrast the check demanded of the colour itself.
 */

/** How much of each channel the hover keeps (the default accent's hover is about this dark). */
const HOVER_SHADE = 0.8;

/** `#rrggbb` with every channel scaled by `factor` (0…1). */
export function darken(hex: string, factor = HOVER_SHADE): string {
  const channels = [1, 3, 5].map((i) => Math.round(parseInt(hex.slice(i, i + 2), 16) * factor));
  return `#${channels.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/** Makes `colour` (an already checked `#rrggbb`) the accent; without one, the tokens' default applies. */
export function applyBrandColour(colour: string | undefined, root: HTMLElement = document.documentElement): void {
  if (!colour) {
    root.style.removeProperty('--runde-accent');
    root.style.removeProperty('--runde-accent-hover');
    return;
  }
  root.style.setProperty('--runde-accent', colour);
  root.style.setProperty('--runde-accent-hover', darken(colour));
}
