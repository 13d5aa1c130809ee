// Lists the exports of src/ that no other file imports: code that ships only because a test, the
// devnet or the bench reaches for it belongs next to them, and an export nothing reaches is dead.
// Run by `npm test` (scripts/test.mjs) before the suites; exits 1 when it finds one.
//
// Written on the TypeScript compiler's parser rather than a tool such as knip so that it runs
// from the node_modules the project already has. It reads imports, re-exports (followed through
// barrels), `export *`, and dynamic `import()` (the destructured names, or every export when the
// module is kept whole). An export used only inside its own file counts as unused: it need not
// be exported. Deliberate exceptions go in scripts/unused-exports-allow.json, each with a reason.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

// `--root=DIR` checks another tree (the script's own test runs it on a small one).
const rootArg = process.argv.find((a) => a.startsWith('--root='));
const ROOT = rootArg ? resolve(rootArg.slice('--root='.length)) : resolve(import.meta.dirname, '..');
const READERS = ['src', 'test', 'devnet', 'bench', 'scripts'];
const CODE = /\.(ts|tsx|mts|mjs|js)$/;

function codeFiles(dir) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((f) => {
    if (f === 'node_modules' || f.startsWith('.')) return [];
    const p = join(dir, f);
    return statSync(p).isDirectory() ? codeFiles(p) : CODE.test(f) && !f.endsWith('.d.ts') ? [p] : [];
  });
}

/** The file a relative specifier names, or null for a package or a file that is not code. */
function resolveSpec(from, spec) {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec.replace(/\?.*$/, '')); // Vite's `?script&iife` and such
  for (const p of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) {
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      // try the next form
    }
  }
  return null;
}

const hasExport = (node) => ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Export;
const isDefault = (node) => ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Default;

/**
 * What a file exports (name → line) and passes on (re-exports), and what it takes from others
 * (`uses`: [file, name or '*']).
 */
function readModule(file) {
  const text = readFileSync(file, 'utf8');
  const kind = file.endsWith('x') ? ts.ScriptKind.TSX : file.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const exports = new Map();
  const reexports = []; // { name, from, as } with name '*' for export *
  const uses = [];
  const line = (node) => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const use = (spec, name) => {
    const target = resolveSpec(file, spec);
    if (target) uses.push([target, name]);
  };

  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      const spec = st.moduleSpecifier.text;
      const clause = st.importClause;
      if (!clause) use(spec, '*'); // a side-effect import keeps the module, not its names
      else {
        if (clause.name) use(spec, 'default');
        const nb = clause.namedBindings;
        if (nb && ts.isNamespaceImport(nb)) use(spec, '*');
        else if (nb) for (const el of nb.elements) use(spec, (el.propertyName ?? el.name).text);
      }
    } else if (ts.isExportDeclaration(st)) {
      const spec = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : null;
      const from = spec ? resolveSpec(file, spec) : null;
      if (!st.exportClause) {
        if (from) reexports.push({ name: '*', from });
      } else if (ts.isNamespaceExport(st.exportClause)) {
        exports.set(st.exportClause.name.text, line(st));
        if (from) uses.push([from, '*']);
      } else {
        for (const el of st.exportClause.elements) {
          const local = (el.propertyName ?? el.name).text;
          if (from) reexports.push({ name: el.name.text, from, as: local, line: line(el) });
          else exports.set(el.name.text, line(el));
        }
      }
    } else if (ts.isExportAssignment(st)) {
      exports.set('default', line(st));
    } else if (hasExport(st)) {
      if (isDefault(st)) exports.set('default', line(st));
      else if (ts.isVariableStatement(st)) {
        for (const d of st.declarationList.declarations) {
          if (ts.isIdentifier(d.name)) exports.set(d.name.text, line(d));
        }
      } else if (st.name && ts.isIdentifier(st.name)) exports.set(st.name.text, line(st));
    }
  }

  // Dynamic imports anywhere in the file: `const { a } = await import(x)` takes a, `(await
  // import(x)).a` takes a, anything else takes the whole module.
  const visit = (node) => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && ts.isStringLiteralLike(arg)) {
        let outer = node.parent;
        if (outer && ts.isAwaitExpression(outer)) outer = outer.parent;
        while (outer && ts.isParenthesizedExpression(outer)) outer = outer.parent;
        if (outer && ts.isVariableDeclaration(outer) && ts.isObjectBindingPattern(outer.name)) {
          for (const el of outer.name.elements) {
            const key = el.propertyName ?? el.name;
            if (ts.isIdentifier(key)) use(arg.text, key.text);
            else use(arg.text, '*');
          }
        } else if (outer && ts.isPropertyAccessExpression(outer)) use(arg.text, outer.name.text);
        else use(arg.text, '*');
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { exports, reexports, uses };
}

/** Where the extension starts: manifest.json's pages and worker, and the build's DOM alias. */
const ENTRIES = ['src/background/index.ts', 'src/popup/popup.tsx', 'src/popup/options.tsx', 'src/tasks/page-index/no-stylesheet-parser.ts'];

/** The files of src/ that the extension never loads: they ship only for tests, devnet or bench. */
function unshippedFiles(root = ROOT) {
  const all = codeFiles(join(root, 'src'));
  const modules = new Map(all.map((f) => [f, readModule(f)]));
  const reached = new Set();
  const walk = (file) => {
    if (reached.has(file) || !modules.has(file)) return;
    reached.add(file);
    const m = modules.get(file);
    for (const [to] of m.uses) walk(to);
    for (const r of m.reexports) walk(r.from);
  };
  for (const e of ENTRIES) walk(join(root, e));
  return all.filter((f) => !reached.has(f)).map((f) => relative(root, f)).sort();
}

function unusedExports(root = ROOT) {
  const all = READERS.flatMap((d) => codeFiles(join(root, d)));
  const modules = new Map(all.map((f) => [f, readModule(f)]));
  const used = new Map(all.map((f) => [f, new Set()]));

  // Marks a name as taken from a file, through the re-exports that pass it on.
  const seen = new Set();
  const mark = (file, name) => {
    const key = `${file}\0${name}`;
    if (seen.has(key)) return;
    seen.add(key);
    const m = modules.get(file);
    if (!m) return;
    used.get(file).add(name);
    for (const r of m.reexports) {
      if (r.name === '*') {
        if (name !== 'default') mark(r.from, name);
      } else if (name === '*' || r.name === name) mark(r.from, r.as);
    }
  };
  for (const [, m] of modules) for (const [file, name] of m.uses) mark(file, name);

  const found = [];
  for (const [file, m] of modules) {
    const rel = relative(root, file);
    if (!rel.startsWith(`src${'/'}`)) continue;
    const u = used.get(file);
    const named = [...m.exports, ...m.reexports.filter((r) => r.name !== '*').map((r) => [r.name, r.line])];
    for (const [name, at] of named) {
      if (!u.has(name) && !u.has('*')) found.push({ file: rel, name, line: at });
    }
  }
  return found.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const allow = JSON.parse(readFileSync(join(ROOT, 'scripts', 'unused-exports-allow.json'), 'utf8'));
  const allowed = new Set(allow.map((a) => `${a.file}#${a.name}`));
  const found = unusedExports();
  const unused = found.filter((f) => !allowed.has(`${f.file}#${f.name}`));
  const stale = allow.filter((a) => !found.some((f) => f.file === a.file && f.name === a.name));
  for (const f of unused) console.log(`${f.file}:${f.line}: ${f.name} is exported but no file imports it`);
  for (const a of stale) console.log(`scripts/unused-exports-allow.json: ${a.file}#${a.name} is no longer found (imported now, or gone): drop it from the list`);
  const bad = allow.filter((a) => typeof a.reason !== 'string' || a.reason.length < 10);
  for (const a of bad) console.log(`scripts/unused-exports-allow.json: ${a.file}#${a.name} needs a reason`);
  const unshipped = unshippedFiles();
  for (const f of unshipped) console.log(`${f}: the extension never loads it: move it next to the tests, devnet or bench that use it`);
  if (unused.length + stale.length + bad.length + unshipped.length > 0) process.exit(1);
  console.log('unused exports: none; every file of src/ ships');
}
