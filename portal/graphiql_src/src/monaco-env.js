// Where Monaco finds its three web workers: files of this bundle, next to this script on
// our own origin (never a CDN). build.mjs writes their content-hashed names into
// __PORTAL_WORKERS__ when it bundles this file.
/* global __PORTAL_WORKERS__ */
const base = (document.currentScript && document.currentScript.src) || window.location.href;

globalThis.MonacoEnvironment = {
  getWorker(_workerId, label) {
    const file = __PORTAL_WORKERS__[label] || __PORTAL_WORKERS__.editorWorkerService;
    return new Worker(new URL(file, base), { name: `graphiql-${label}` });
  },
};
