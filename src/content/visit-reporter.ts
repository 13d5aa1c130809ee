// Runs only on sites the user opted in, in the top frame. It reports the URL and title of
// the page and nothing else: no form fields, no cookies, no page content.
declare const browser: { runtime: { sendMessage(m: unknown): Promise<unknown> } } | undefined;
declare const chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } };

if (window.top === window) {
  const api = typeof browser !== 'undefined' ? browser : chrome;
  api.runtime
    .sendMessage({ type: 'visit', url: location.href, title: document.title.slice(0, 512) })
    .catch(() => {
      // The background may be restarting; the next visit will be reported.
    });
}
