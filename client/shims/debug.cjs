// simple-peer logs through the `debug` package. The bundle maps `debug` to this small stand-in
// (CommonJS, as simple-peer requires it) instead of shipping it: silent, unless Runde's debug
// switch is on (`?debug` in the address, remembered as `runde-debug` in localStorage; see
// client/core/diagnostics.ts), when it logs to the console's debug level.
function switchedOn() {
  try {
    const param = new URLSearchParams(globalThis.location ? globalThis.location.search : '').get('debug');
    if (param !== null) return param !== '0';
    return Boolean(globalThis.localStorage) && globalThis.localStorage.getItem('runde-debug') === '1';
  } catch (_) {
    return false;
  }
}

module.exports = function debug(namespace) {
  const enabled = switchedOn();
  const log = enabled ? (...args) => console.debug(`[${namespace}]`, ...args) : () => {};
  log.enabled = enabled;
  return log;
};
