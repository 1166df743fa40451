/** axe-core's browser build registers `window.axe` when imported; it exports nothing typed. */
declare module 'axe-core/axe.min.js';
