import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';
import { crx } from '@crxjs/vite-plugin';
import { domAliases } from './scripts/dom-aliases.ts';
import { manifestFor, type Target } from './scripts/manifest-for.ts';

// One source, two unpacked extensions: K2_TARGET picks the browser, K2_DEV adds what a
// development build needs (the local devnet and demo site on 127.0.0.1).
const target = (process.env.K2_TARGET ?? 'chrome') as Target;
const dev = process.env.K2_DEV !== '0';
const outDir = process.env.K2_OUT_DIR ?? 'dist';

export default defineConfig({
  plugins: [preact(), crx({ manifest: manifestFor(target, { dev }), browser: target })],
  resolve: { alias: domAliases },
  define: {
    __K2_DEV__: JSON.stringify(dev),
    __K2_TARGET__: JSON.stringify(target),
  },
  build: {
    outDir: `${outDir}/${target}`,
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    sourcemap: false,
    modulePreload: { polyfill: false },
    rolldownOptions: {
      // No content hashes in file names: an extension ships as a whole, nothing caches its
      // files by name, and crxjs's placeholder for the content script's file name hashes the
      // script's absolute path into the background chunk's hash. Without them the same source
      // builds the same files wherever it is checked out (the source archive's test).
      output: { entryFileNames: 'assets/[name].js', chunkFileNames: 'assets/[name].js', assetFileNames: 'assets/[name][extname]' },
    },
  },
  server: { strictPort: true },
});
