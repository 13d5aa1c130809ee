// Runs only on sites the user opted in, in the top frame. It reports the URL and title of
// the page and nothing else: no form fields, no cookies, no page content.
declare const browser: { runtime: { sendMessage(m: unknown): Promise<unknown> } } | undefined;
declare const chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } };

if (window.top === window) {
  const api = typeof browser !== 'undefined' ? browser : chrome;
  const visit = { type: 'visit', url: location.href, title: document.title.slice(0, 512) };
  // The background may be stopped while it takes the message (a service worker the browser
  // recycles): ask again a few times. A visit reported twice is stored once.
  const report = (attempt: number): void => {
    api.runtime.sendMessage(visit).catch(() => {
      if (attempt < 4) setTimeout(() => report(attempt + 1), 400 * 2 ** attempt);
    });
  };
  report(0);
}
