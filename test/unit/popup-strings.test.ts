import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import { readLocale } from './helpers/locale.ts';

// Every word the popup and the options page show comes from public/_locales (issue 17): this
// reads their .tsx files with TypeScript's parser and names, file:line, each piece of text a
// person would see that is written in the code instead: JSX text with letters, and string
// literals given to attributes a person reads or hears (aria-label, title, placeholder, alt,
// label, a button's value) or put in JSX as children, unless they go through a call (t(…)).
// It also checks the keys: each t('key') exists, and each key in messages.json is used.

const POPUP = 'src/popup';
const USER_VISIBLE_ATTRIBUTES = new Set(['aria-label', 'aria-description', 'aria-valuetext', 'title', 'placeholder', 'alt', 'label', 'submitLabel', 'cancelLabel', 'what', 'value']);
const LETTERS = /\p{L}/u;

function filesUnder(dir: string, ext: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name), ext) : ext.test(e.name) ? [join(dir, e.name)] : []));
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
}

const where = (sf: ts.SourceFile, node: ts.Node) => `${relative('.', sf.fileName)}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`;

const isText = (n: ts.Node): n is ts.StringLiteral | ts.NoSubstitutionTemplateLiteral | ts.TemplateExpression =>
  ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateExpression(n);

function literalText(n: ts.StringLiteral | ts.NoSubstitutionTemplateLiteral | ts.TemplateExpression): string {
  return ts.isTemplateExpression(n) ? [n.head.text, ...n.templateSpans.map((s) => s.literal.text)].join('') : n.text;
}

/**
 * Whether a string literal inside a JSX expression is shown as it is: not when it is an
 * argument of a call (t('key'), String(…)), compared (state === 'paused'), an index, or
 * a value given to a non-visible attribute of an element nested in the expression.
 */
function shownAsIs(lit: ts.Node, top: ts.Node): boolean {
  for (let n: ts.Node = lit; n !== top; n = n.parent) {
    const p = n.parent;
    if (ts.isCallExpression(p) && p.arguments.includes(n as ts.Expression)) return false;
    if (ts.isBinaryExpression(p) && [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken].includes(p.operatorToken.kind)) return false;
    if (ts.isElementAccessExpression(p) && p.argumentExpression === n) return false;
    if (ts.isJsxAttribute(p) || ts.isJsxElement(p) || ts.isJsxSelfClosingElement(p)) return false; // checked on its own
  }
  return true;
}

function elementName(attr: ts.JsxAttribute): string {
  const el = attr.parent.parent; // JsxAttributes → opening or self-closing element
  return ts.isJsxOpeningElement(el) || ts.isJsxSelfClosingElement(el) ? el.tagName.getText() : '';
}

/** "file:line: what" for each hard-coded piece of user-visible text in `sf`. */
export function hardCodedStrings(sf: ts.SourceFile): string[] {
  const found: string[] = [];
  const checkExpression = (expr: ts.Node, what: string) => {
    const visit = (n: ts.Node): void => {
      if (isText(n)) {
        const text = literalText(n);
        if (LETTERS.test(text) && shownAsIs(n, expr)) found.push(`${where(sf, n)}: ${what} ${JSON.stringify(text)}`);
        return;
      }
      // A nested element is visited by the outer walk with its own context.
      if (ts.isJsxElement(n) || ts.isJsxSelfClosingElement(n) || ts.isJsxFragment(n)) return;
      ts.forEachChild(n, visit);
    };
    visit(expr);
  };
  const walk = (n: ts.Node): void => {
    if (ts.isJsxText(n)) {
      const text = n.text.trim();
      if (LETTERS.test(text)) found.push(`${where(sf, n)}: JSX text ${JSON.stringify(text)}`);
    } else if (ts.isJsxExpression(n) && n.expression && !ts.isJsxAttribute(n.parent)) {
      checkExpression(n.expression, 'text in JSX');
    } else if (ts.isJsxAttribute(n)) {
      const name = n.name.getText();
      const tag = elementName(n);
      // A value is shown on buttons and button-like inputs only; on other inputs it is the user's own.
      const visible = USER_VISIBLE_ATTRIBUTES.has(name) && (name !== 'value' || tag === 'button' || tag === 'input');
      const init = n.initializer;
      if (visible && init) {
        if (ts.isStringLiteral(init) && LETTERS.test(init.text)) {
          const typeAttr = name === 'value' && tag === 'input' ? (n.parent.properties.find((p) => ts.isJsxAttribute(p) && p.name.getText() === 'type') as ts.JsxAttribute | undefined) : undefined;
          const buttonLike = !typeAttr || /^"(button|submit|reset)"$/.test(typeAttr.initializer?.getText() ?? '');
          if (name !== 'value' || tag === 'button' || (typeAttr && buttonLike)) found.push(`${where(sf, init)}: ${name}=${JSON.stringify(init.text)}`);
        } else if (ts.isJsxExpression(init) && init.expression && name !== 'value') {
          checkExpression(init.expression, `${name}=`);
        }
      }
    }
    ts.forEachChild(n, walk);
  };
  walk(sf);
  return found;
}

/** The keys given literally to t(…): [key, file:line]. */
function keysUsedWithT(sf: ts.SourceFile): [string, string][] {
  const out: [string, string][] = [];
  const walk = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 't' && n.arguments[0] && ts.isStringLiteralLike(n.arguments[0])) {
      out.push([n.arguments[0].text, where(sf, n)]);
    }
    ts.forEachChild(n, walk);
  };
  walk(sf);
  return out;
}

/** Every string literal of a file (a key may travel in a table before it meets t()). */
function stringLiterals(sf: ts.SourceFile): Set<string> {
  const out = new Set<string>();
  const walk = (n: ts.Node): void => {
    if (ts.isStringLiteralLike(n)) out.add(n.text);
    ts.forEachChild(n, walk);
  };
  walk(sf);
  return out;
}

describe('user-visible strings of the popup and the options page', () => {
  const popupFiles = filesUnder(POPUP, /\.tsx?$/).map(parse);
  const messages = readLocale('en');

  test('no text is written into a component: it comes from _locales/en/messages.json via t()', () => {
    const found = popupFiles.filter((sf) => sf.fileName.endsWith('.tsx')).flatMap(hardCodedStrings);
    expect(found, `hard-coded user-visible strings (add a key to public/_locales/en/messages.json and use t()):\n${found.join('\n')}`).toEqual([]);
  });

  test('every key given to t() exists in messages.json', () => {
    const missing = popupFiles.flatMap(keysUsedWithT).filter(([key]) => !(key in messages)).map(([key, at]) => `${at}: t('${key}')`);
    expect(missing, `keys missing from public/_locales/en/messages.json:\n${missing.join('\n')}`).toEqual([]);
  });

  test('every key in messages.json is used in src/ or by the manifest', () => {
    const used = new Set<string>();
    for (const sf of filesUnder('src', /\.tsx?$/).map(parse)) for (const s of stringLiterals(sf)) used.add(s);
    for (const m of readFileSync('manifest.json', 'utf8').matchAll(/__MSG_(\w+)__/g)) used.add(m[1]!);
    const unused = Object.keys(messages).filter((key) => !used.has(key));
    expect(unused, `keys in public/_locales/en/messages.json that nothing uses:\n${unused.join('\n')}`).toEqual([]);
  });

  test('the check finds what it is for (file:line, text, attributes, literals in expressions)', () => {
    const sf = ts.createSourceFile(
      'src/popup/Example.tsx',
      [
        'export const A = () => (',
        '  <div title="Hello" aria-label={t("ok")} data-testid="x-y">',
        '    Some words {n === "paused" ? "Resume" : t("pause")} {t("k", "arg")}',
        '    <input placeholder={`Type ${what}`} value={draft} />',
        '    <button value="Go" class="primary">{" "}{"·"}</button>',
        '  </div>',
        ');',
      ].join('\n'),
      ts.ScriptTarget.Latest,
      true,
      ts.ScriptKind.TSX,
    );
    expect(hardCodedStrings(sf)).toEqual([
      'src/popup/Example.tsx:2: title="Hello"',
      'src/popup/Example.tsx:3: JSX text "Some words"',
      'src/popup/Example.tsx:3: text in JSX "Resume"',
      'src/popup/Example.tsx:4: placeholder= "Type "',
      'src/popup/Example.tsx:5: value="Go"',
    ]);
  });
});
