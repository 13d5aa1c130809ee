// `npm run package`: what goes to the stores, in artifacts/:
//   k2-light-node-chrome-<version>.zip    the Chrome Web Store's upload (dist/chrome)
//   k2-light-node-firefox-<version>.zip   addons.mozilla.org's upload (dist/firefox)
//   k2-light-node-source-<version>.zip    the source addons.mozilla.org asks for when the
//                                         code is minified, with SOURCE-BUILD.md: the
//                                         commands that rebuild those files from it
// Every file of the two add-ons is rebuilt byte for byte from the source archive by
// test/e2e/store-package.test.ts. `--dist=DIR` and `--artifacts=DIR` move the output (tests).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join, relative, resolve } from 'node:path';
import JSZip from 'jszip';

/** What the build reads (and what a reviewer needs to read): everything else is tests, devnet, bench. */
export const SOURCE_PATHS = ['package.json', 'package-lock.json', 'manifest.json', 'vite.config.ts', 'tsconfig.json', 'README.md', 'SECURITY.md', 'docs', 'public', 'scripts', 'src'];
/** Zip entries carry this time, so that the same source gives the same archive. */
const FIXED_DATE = new Date('2020-01-01T00:00:00Z');

function filesUnder(root, path) {
  const full = join(root, path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full)
    .sort()
    .flatMap((name) => filesUnder(root, join(path, name)));
}

function buildNotes(version) {
  const npm = execFileSync('npm', ['--version'], { encoding: 'utf8' }).trim();
  return `# K2 Light Node ${version}: building the add-on from this source

The add-on's JavaScript is bundled and minified by Vite (\`vite.config.ts\`, \`scripts/build.mjs\`)
from the TypeScript in \`src/\`; its manifest comes from \`manifest.json\` through
\`scripts/manifest-for.ts\`. Nothing is downloaded or evaluated at run time: every task plugin
ships in the bundle.

These archives were built with Node ${process.version} and npm ${npm} on ${process.platform} ${release()}.
Any Node 20 or later and npm 10 or later build the same files:

\`\`\`sh
npm ci                 # the exact dependency versions of package-lock.json, from the npm registry
npm run build:store    # writes dist/firefox (the Firefox add-on) and dist/chrome
\`\`\`

\`dist/firefox\` then holds, byte for byte, the files of \`k2-light-node-firefox-${version}.zip\`
(and \`dist/chrome\` those of the Chrome package). \`npm run package\` builds the same and zips it.
`;
}

/** Writes the source archive of the tree at `root` to `outFile`; returns the paths it holds. */
export async function writeSourceArchive(root, outFile, version) {
  const zip = new JSZip();
  const files = SOURCE_PATHS.flatMap((p) => filesUnder(root, p)).sort();
  for (const file of files) zip.file(file.split('\\').join('/'), readFileSync(join(root, file)), { date: FIXED_DATE, unixPermissions: 0o644 });
  zip.file('SOURCE-BUILD.md', buildNotes(version), { date: FIXED_DATE, unixPermissions: 0o644 });
  const bytes = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 }, platform: 'UNIX' });
  writeFileSync(outFile, bytes);
  return [...files, 'SOURCE-BUILD.md'];
}

async function main() {
  const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
  const root = process.cwd();
  const dist = arg('dist', 'dist');
  const artifacts = resolve(arg('artifacts', 'artifacts'));
  const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
  const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
  run(process.execPath, ['scripts/build.mjs', '--prod', `--out-dir=${dist}`]);
  mkdirSync(artifacts, { recursive: true });
  const webExt = resolve('node_modules/.bin/web-ext');
  for (const target of ['chrome', 'firefox']) {
    run(webExt, ['build', '-s', join(dist, target), '-a', artifacts, '--filename', `k2-light-node-${target}-{version}.zip`, '--overwrite-dest']);
  }
  const source = join(artifacts, `k2-light-node-source-${version}.zip`);
  const files = await writeSourceArchive(root, source, version);
  console.log(`${relative(root, source)}: ${files.length} files`);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve('scripts/package.mjs')) await main();
