/**
 * Design tokens: the one place for spacing, radii, type sizes and colours. They are custom
 * properties on the document's root, so they inherit into every component's shadow root (tests
 * that mount one component get them too: every component imports this module, directly or through styles.ts). Light pages (start, lobby, statement)
 * and the dark call share them. Every text/background pair as used meets WCAG AA (4.5:1).
 * A deployment's brand colour (config.json) replaces --runde-accent on the root element.
 */
const TOKENS = `
:root {
  --runde-space-1: 0.25rem;
  --runde-space-2: 0.5rem;
  --runde-space-3: 0.75rem;
  --runde-space-4: 1rem;
  --runde-space-5: 1.5rem;
  --runde-space-6: 2rem;
  --runde-radius-s: 0.4rem;
  --runde-radius-m: 0.75rem;
  --runde-radius-l: 1.25rem;
  --runde-radius-pill: 999px;
  --runde-text-xs: 0.75rem;
  --runde-text-s: 0.875rem;
  --runde-text-m: 1rem;
  --runde-text-l: 1.25rem;
  --runde-text-xl: 1.75rem;
  --runde-text-xxl: 2.25rem;
  /* Light pages */
  --runde-page-bg: #f5f7fa;
  --runde-page-fg: #1f2933;
  --runde-page-muted: #52606d;
  --runde-card-bg: #fff;
  --runde-border: #cbd2d9;
  /* A brand colour from config.json replaces the accent (checked for contrast with white). */
  --runde-accent: #0b5cad;
  --runde-accent-hover: #084a8c;
  /* The dark call */
  --runde-call-bg: #111820;
  --runde-surface: #1f2933;
  --runde-surface-raised: #323f4b;
  --runde-control: #3e4c59;
  --runde-control-hover: #52606d;
  --runde-on-dark: #fff;
  --runde-on-dark-muted: #cbd2d9;
  --runde-danger: #b3261e;
  --runde-danger-on-dark: #ff8a80;
  --runde-warn-bg: #7a4b00;
  --runde-speaking: #4cc38a;
  --runde-highlight: #ffbf47;
  --runde-on-highlight: #1f2933;
  --runde-border-on-dark: #7b8794;
  --runde-link-on-dark: #9fd4ff;
  --runde-info-bg: #243b53;
  --runde-error-on-dark: #ffb4ab;
  /* A notice on a light page (the statement's draft warning) */
  --runde-notice-border: #b35c00;
  --runde-notice-bg: #fff4e5;
}
`;

let adopted = false;

/** Puts the tokens on the document once (idempotent; importing this module does it). */
export function adoptTokens(doc: Document = document): void {
  if (adopted) return;
  adopted = true;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(TOKENS);
  doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet];
}

adoptTokens();
