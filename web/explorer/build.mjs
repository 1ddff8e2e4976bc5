// Builds the explorer into dist/, the files the Go binary embeds and serves
// at / (see ../explorer.go):
//
//   index.html     the page, a copy of src/index.html: the server writes
//                  a fresh nonce for each response in place of {{nonce}}
//   favicon.svg    a copy of src/favicon.svg
//   explorer.js    src/explorer.jsx with React and GraphiQL, minified
//   explorer.css   GraphiQL's styles and src/page.css, minified
//   assets/        the fonts and images GraphiQL's styles embed as data:
//                  URLs, as files named by their content, so that the
//                  page's Content-Security-Policy needs no data: source
//   licenses.txt   the licence of every package bundled into explorer.js
//
// The output depends only on the sources and the packages the lockfile
// pins: no timestamps, no absolute paths, no source maps. CI runs
// `npm ci && npm run build` and fails if dist/ differs from the commit.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');

const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: ['src/explorer.jsx'],
  outdir: 'dist',
  bundle: true,
  minify: true,
  format: 'iife',
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'none', // licenses.txt carries them, whole
  charset: 'utf8',
  metafile: true,
  write: false,
  logLevel: 'warning',
});

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'assets'), { recursive: true });
for (const file of result.outputFiles) {
  let text = file.text;
  if (file.path.endsWith('.css')) {
    text = extractDataURLs(text);
  }
  writeFileSync(file.path, text);
}
for (const name of ['index.html', 'favicon.svg']) {
  copyFileSync(join(root, 'src', name), join(dist, name));
}
writeFileSync(join(dist, 'licenses.txt'), licenses(Object.keys(result.metafile.inputs)));

// extractDataURLs writes each base64 data: URL of a stylesheet to
// assets/<hash of its bytes>.<type> and points the stylesheet at the file.
function extractDataURLs(css) {
  const types = { 'font/woff2': 'woff2', 'font/woff': 'woff', 'image/png': 'png', 'image/svg+xml': 'svg' };
  const out = css.replace(/url\(\s*(["']?)data:([\w+./-]+);base64,([A-Za-z0-9+/=]+)\1\s*\)/g, (_, _quote, type, data) => {
    const ext = types[type];
    if (!ext) {
      throw new Error(`explorer.css embeds a data: URL of type ${type}: add it to extractDataURLs and to the Go server's types`);
    }
    const bytes = Buffer.from(data, 'base64');
    const name = `assets/${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.${ext}`;
    writeFileSync(join(dist, name), bytes);
    return `url(${name})`;
  });
  if (out.includes('data:')) {
    throw new Error('explorer.css keeps a data: URL that is not base64: extractDataURLs must take it out');
  }
  return out;
}

// licenses returns the name, version and licence text of every package
// that has a file among the bundle's inputs, sorted by name.
function licenses(inputs) {
  const dirs = new Set();
  for (const input of inputs) {
    const m = input.match(/^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//);
    if (m) {
      dirs.add(m[1]);
    }
  }
  const packages = [...dirs].map((dir) => {
    const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
    const file = readdirSync(join(root, dir)).sort().find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    if (!file && !pkg.license) {
      throw new Error(`${dir} has neither a licence file nor a license field`);
    }
    const text = file ? readFileSync(join(root, dir, file), 'utf8').trim() : `License: ${pkg.license}`;
    return { id: `${pkg.name} ${pkg.version}`, text };
  });
  packages.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const header = "Third-party software bundled into cmap's GraphQL explorer (explorer.js, explorer.css).\n";
  return header + packages.map((p) => `\n${'='.repeat(72)}\n${p.id}\n${'='.repeat(72)}\n\n${p.text}\n`).join('');
}
