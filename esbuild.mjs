// The one build script: bundles the extension client and the language server into dist/, the
// side panel's webview script into media/build/ (with the codicon font: webviews may only load
// from media/), copies the bundled sample corpus next to the server, and (with --tests) bundles
// every test file into out/.
//   node esbuild.mjs              development build (sourcemaps)
//   node esbuild.mjs --production minified, for the .vsix
//   node esbuild.mjs --tests      also the tests (out/test/**.js)
//   node esbuild.mjs --watch      rebuild on change
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const root = path.dirname(new URL(import.meta.url).pathname);
const args = new Set(process.argv.slice(2));
const production = args.has('--production');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // ESM-only dependencies (fdir, under tinyglobby) read import.meta.url, which CommonJS lacks.
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

const builds = [
  { ...common, entryPoints: { client: 'client/src/extension.ts', server: 'server/src/server.ts', loadWorker: 'server/src/corpus/loadWorker.ts' }, outdir: 'dist', external: ['vscode'] },
  {
    ...common, platform: 'browser', format: 'iife', target: 'es2022', define: {}, banner: {},
    entryPoints: { panel: 'client/src/webview/panel.ts' }, outdir: 'media/build',
  },
];

function walk(dir, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (/\.ts$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

if (args.has('--tests')) {
  const entryPoints = walk(path.join(root, 'test')).map(f => path.relative(root, f));
  builds.push({ ...common, sourcemap: true, minify: false, entryPoints, outdir: 'out', outbase: '.', packages: 'external', external: ['vscode'] });
}

function copyAssets() {
  fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
  fs.copyFileSync(path.join(root, 'server/data/sample-corpus.txt'), path.join(root, 'dist/sample-corpus.txt'));
  fs.mkdirSync(path.join(root, 'media/build'), { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) {
    fs.copyFileSync(path.join(root, 'node_modules/@vscode/codicons/dist', f), path.join(root, 'media/build', f));
  }
}

if (args.has('--watch')) {
  copyAssets();
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map(b => esbuild.build(b)));
  copyAssets();
}
