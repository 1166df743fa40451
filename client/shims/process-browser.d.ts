/** Types for the `process` package's browser build, which ships none. */
declare module 'process/browser.js' {
  const process: NodeJS.Process;
  export default process;
}
