// simple-peer logs through the `debug` package; the app never shows those logs, so the bundle
// maps `debug` to this no-op (CommonJS, as simple-peer requires it) instead of shipping it.
module.exports = function debug() {
  const log = () => {};
  log.enabled = false;
  return log;
};
