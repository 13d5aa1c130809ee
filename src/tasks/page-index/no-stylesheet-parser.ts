// Stands in for `cssomnom/parse` in linkedom (see scripts/dom-aliases.ts). linkedom parses a
// <style> element's text only when its `sheet` is read; Readability never reads it (it
// removes <style> elements and reads `node.style`, which linkedom builds from the style
// attribute without cssomnom), nor does our pipeline. cssomnom is a full CSS object model,
// a quarter of the background's gzipped JavaScript for a getter nobody calls.

export function parse(): never {
  throw new Error('HTMLStyleElement.sheet is not available: the extension does not bundle a CSS parser (see scripts/dom-aliases.ts)');
}
