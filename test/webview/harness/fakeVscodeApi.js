// Stand-in for the VS Code webview host: records what the page posts and keeps getState/setState in sessionStorage
// so a reload behaves like VS Code restoring a hidden panel. Like the real one, acquireVsCodeApi works once.
// Requests are answered the way the extension's trace actions do: one reply per request id, a valid result for the
// method by default, or what a test set in window.__replyWith[method] (e.g. { ok: false, error: { message } }).
(function () {
  const KEY = 'metacot.harness.state';
  let acquired = false;
  window.__posted = [];
  window.__stateWrites = 0;
  window.__replyWith = {};
  const results = {
    editNode: (p) => ({ nodeId: p.nodeId, message: `Edited ${p.nodeId}` }),
    pruneNode: (p) => ({ pruned: [p.nodeId], message: `Pruned ${p.nodeId}` }),
    unpruneNode: (p) => ({ restored: [p.nodeId], message: `Un-pruned ${p.nodeId}` }),
    markNode: (p) => ({ nodeId: p.nodeId, label: p.label, message: p.label ? `Marked ${p.nodeId} ${p.label}` : `Cleared the mark on ${p.nodeId}` }),
    rerunFromNode: (p) => ({ runId: 'run-harness', startNodeId: p.nodeId, message: `Started ${p.strategy} from ${p.nodeId}` }),
    cancelRun: (p) => ({ cancelled: p.runId ? [p.runId] : [], message: 'Cancelled' }),
    openAsText: () => ({ uri: 'file:///harness/trace.metacot.json', message: 'Opened the trace as text' }),
    exportTrace: (p) => ({ output: `/harness/export.${p.format}`, bytes: 42, message: `Exported ${p.format}` }),
    measureImportance: (p) => ({ nodeId: p.nodeId, measured: true, message: `Measured the step importance of ${p.nodeId}` }),
  };
  function answer(m) {
    const preset = window.__replyWith[m.method];
    const reply = preset
      ? { type: 'reply', requestId: m.requestId, method: m.method, ...preset }
      : { type: 'reply', requestId: m.requestId, method: m.method, ok: true, result: results[m.method](m.params) };
    // Asynchronous, as the real channel is.
    setTimeout(() => window.postMessage(reply, '*'), 0);
  }
  window.acquireVsCodeApi = function () {
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    return Object.freeze({
      postMessage(message) {
        // Structured clone, as the real channel does.
        window.__posted.push(structuredClone(message));
        if (message && message.type === 'request') answer(message);
      },
      getState() {
        const raw = sessionStorage.getItem(KEY);
        return raw ? JSON.parse(raw) : undefined;
      },
      setState(state) {
        window.__stateWrites++;
        sessionStorage.setItem(KEY, JSON.stringify(state));
        return state;
      },
    });
  };
  // Host -> webview, the way VS Code delivers it: a MessageEvent on window.
  window.__hostSend = function (message) {
    window.postMessage(message, '*');
  };
})();
