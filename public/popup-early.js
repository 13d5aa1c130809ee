// A classic script in the popup's <head>: it runs while the page is parsed, before the page's
// modules load, so the worker answers the first screen's requests in that time. Whichever
// first screen shows (onboarding, unlock or the node's status) needs the wallet's status,
// and the everyday one the node's too. src/popup/early-requests.ts takes the answers; the
// keys are the requests' JSON. Plain JavaScript: public/ is copied as it is.
(() => {
  const runtime = (globalThis.browser ?? globalThis.chrome).runtime;
  const ask = (request) => {
    const answer = runtime.sendMessage(request);
    // Nobody may take it (the screen it was for is not shown): not an error here.
    answer.catch(() => undefined);
    return [JSON.stringify(request), answer];
  };
  globalThis.__k2Early = Object.fromEntries([ask({ type: 'wallet.status' }), ask({ type: 'node.status' })]);
})();
