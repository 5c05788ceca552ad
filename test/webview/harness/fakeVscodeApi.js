// Stand-in for the VS Code webview host: records what the page posts and keeps getState/setState in sessionStorage
// so a reload behaves like VS Code restoring a hidden panel. Like the real one, acquireVsCodeApi works once.
(function () {
  const KEY = 'metacot.harness.state';
  let acquired = false;
  window.__posted = [];
  window.__stateWrites = 0;
  window.acquireVsCodeApi = function () {
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    return Object.freeze({
      postMessage(message) {
        // Structured clone, as the real channel does.
        window.__posted.push(structuredClone(message));
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
