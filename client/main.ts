/** Entry point of the browser app: defines the elements; index.html holds <runde-app>. */
import './ui/app.js';

// The app shell for offline starts and installing (client/sw.ts). Not on plain http:// hosts
// other than localhost, where browsers refuse service workers anyway.
if ('serviceWorker' in navigator && window.isSecureContext) {
  // Without a service worker the app works as before, only not offline: nothing to tell anyone.
  void navigator.serviceWorker.register('sw.js').catch(() => {});
}
