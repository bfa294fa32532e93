// Bundles GraphiQL (npm packages pinned by package-lock.json) into portal/static/graphiql/,
// so the portal serves every script, style, font and editor worker itself.
//
//   node build.mjs        (scripts/build-graphiql.sh runs `npm ci` first)
//
// Output, all content-hashed so the portal can serve them as immutable:
//   graphiql-<hash>.js / .css       the page's script (React 19, GraphiQL 5, explorer) and style
//   favicon-<hash>.svg              the page's icon
//   third-party-licenses-<hash>.txt the licences of every bundled npm package
//   *.worker-<hash>.js              Monaco's editor, JSON and GraphQL workers
//   inline-<hash>.woff2 / .ttf …    fonts and images the packages ship as data: URLs, written
//                                   out as files so the CSP needs no `data:` source
//   each compressible file also as .gz and .br next to it (served precompressed)
//   manifest.json                   which file is which; written last, so a half-finished
//                                   build is never served
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.resolve(here, '..', 'static', 'graphiql');
const started = Date.now();

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

const hashOf = (bytes) => createHash('sha256').update(bytes).digest('hex').slice(0, 12);

function hashedName(file, bytes) {
  const ext = path.extname(file);
  return `${path.basename(file, ext)}-${hashOf(bytes)}${ext}`;
}

const common = {
  bundle: true,
  minify: true,
  write: false,
  target: ['es2022'],
  platform: 'browser',
  logLevel: 'warning',
  legalComments: 'none',
  absWorkingDir: here,
  define: { 'process.env.NODE_ENV': '"production"' },
  metafile: true,
};

// Every npm package that ends up in a bundle, for the third-party licence file.
const bundled = new Set();
function notePackages(metafile) {
  for (const input of Object.keys(metafile.inputs)) {
    const match = input.match(/^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//); // innermost package
    if (match) bundled.add(match[1]);
  }
}

// 1. The three Monaco workers, as classic scripts.
const workerEntries = {
  editorWorkerService: 'src/workers/editor.worker.js',
  json: 'src/workers/json.worker.js',
  graphql: 'src/workers/graphql.worker.js',
};
const files = new Map(); // output name -> bytes
const workers = {};
for (const [label, entry] of Object.entries(workerEntries)) {
  const result = await esbuild.build({
    ...common,
    entryPoints: [entry],
    format: 'iife',
    outdir: 'out',
  });
  notePackages(result.metafile);
  const [output] = result.outputFiles.filter((f) => f.path.endsWith('.js'));
  const name = hashedName(path.basename(entry), output.contents);
  files.set(name, Buffer.from(output.contents));
  workers[label] = name;
}

// 2. The page's script and style; workers are referenced by their hashed names.
const main = await esbuild.build({
  ...common,
  entryPoints: { graphiql: 'src/main.jsx' },
  format: 'iife',
  jsx: 'automatic',
  outdir: 'out',
  assetNames: '[name]-[hash]',
  loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file', '.png': 'file' },
  define: { ...common.define, __PORTAL_WORKERS__: JSON.stringify(workers) },
});
notePackages(main.metafile);

// data: URLs in CSS become files of their own (CSP: font-src/img-src 'self', no data:).
const MIME_EXT = {
  'font/woff2': 'woff2',
  'font/woff': 'woff',
  'font/ttf': 'ttf',
  'font/otf': 'otf',
  'application/font-woff': 'woff',
  'application/x-font-ttf': 'ttf',
  'image/svg+xml': 'svg',
  'image/png': 'png',
  'image/gif': 'gif',
};
function externaliseDataUrls(css) {
  let count = 0;
  const text = css.replace(
    /url\(\s*(["']?)data:([\w.+-]+\/[\w.+-]+)((?:;[\w-]+=[\w-]+)*)(;base64)?,([^"')]*)\1\s*\)/g,
    (match, _quote, mime, _params, base64, data) => {
      const ext = MIME_EXT[mime.toLowerCase()];
      if (!ext) throw new Error(`build.mjs: no file type for a data: URL of type ${mime}`);
      const bytes = base64 ? Buffer.from(data, 'base64') : Buffer.from(decodeURIComponent(data));
      const name = `inline-${hashOf(bytes)}.${ext}`;
      files.set(name, bytes);
      count += 1;
      return `url(${name})`;
    },
  );
  return { text, count };
}

let script;
let style;
let inlined = 0;
for (const output of main.outputFiles) {
  const base = path.basename(output.path);
  if (base === 'graphiql.js') {
    script = hashedName(base, output.contents);
    files.set(script, Buffer.from(output.contents));
  } else if (base === 'graphiql.css') {
    const { text, count } = externaliseDataUrls(output.text);
    inlined += count;
    const bytes = Buffer.from(text);
    style = hashedName(base, bytes);
    files.set(style, bytes);
  } else {
    files.set(base, Buffer.from(output.contents)); // assets, already hashed by esbuild
  }
}
if (!script || !style) throw new Error('build.mjs: esbuild wrote no graphiql.js/.css');
// The licences of everything bundled, served beside the bundle (the bundles are minified
// without their licence comments).
const notices = [];
for (const packageDir of [...bundled].sort()) {
  const dir = path.join(here, packageDir);
  const { name: pkg, version, license } = JSON.parse(
    await readFile(path.join(dir, 'package.json'), 'utf8'),
  );
  if (notices.some((n) => n.startsWith(`${pkg}@${version} `))) continue; // nested copies
  const licenceFile = (await readdir(dir)).find((f) => /^(licen[cs]e|copying)/i.test(f));
  const text = licenceFile ? await readFile(path.join(dir, licenceFile), 'utf8') : '';
  notices.push(`${pkg}@${version} (${license || 'see package'})\n\n${text.trim()}\n`);
}
const licences = Buffer.from(
  `Third-party software in the Partner Portal's GraphiQL bundle\n\n${notices.join(`\n${'-'.repeat(72)}\n\n`)}`,
);
const licencesName = hashedName('third-party-licenses.txt', licences);
files.set(licencesName, licences);

const iconBytes = await readFile(path.join(here, 'src', 'favicon.svg'));
const icon = hashedName('favicon.svg', iconBytes);
files.set(icon, iconBytes);
for (const [name, bytes] of files) {
  if (/^https?:|\/\/esm\.sh|unpkg\.com|jsdelivr/.test(name)) {
    throw new Error(`build.mjs: unexpected output ${name}`);
  }
  if (name.endsWith('.js') && bytes.includes('esm.sh/monaco')) {
    throw new Error(`build.mjs: ${name} still loads Monaco workers from esm.sh`);
  }
}

// 3. Write everything, each compressible file also precompressed.
await mkdir(outdir, { recursive: true });
const COMPRESSIBLE = new Set(['.js', '.css', '.svg', '.ttf', '.otf', '.json', '.txt']);
const written = new Set();
let raw = 0;
let gzipped = 0;
await Promise.all(
  [...files].map(async ([name, bytes]) => {
    await writeFile(path.join(outdir, name), bytes);
    written.add(name);
    raw += bytes.length;
    if (!COMPRESSIBLE.has(path.extname(name))) {
      gzipped += bytes.length;
      return;
    }
    const [gz, br] = await Promise.all([
      gzip(bytes, { level: 9 }),
      brotli(bytes, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: 10,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
        },
      }),
    ]);
    await writeFile(path.join(outdir, `${name}.gz`), gz);
    await writeFile(path.join(outdir, `${name}.br`), br);
    written.add(`${name}.gz`);
    written.add(`${name}.br`);
    gzipped += gz.length;
  }),
);

const lock = JSON.parse(await readFile(path.join(here, 'package-lock.json'), 'utf8'));
const versionOf = (pkg) => lock.packages[`node_modules/${pkg}`]?.version;
const manifest = {
  script,
  style,
  icon,
  licenses: licencesName,
  packages: notices.length,
  workers,
  files: [...files.keys()].sort(),
  bytes: raw,
  gzipBytes: gzipped,
  versions: Object.fromEntries(
    ['graphiql', '@graphiql/plugin-explorer', 'react', 'monaco-editor', 'esbuild'].map((p) => [
      p,
      versionOf(p),
    ]),
  ),
  lockfileSha256: createHash('sha256')
    .update(await readFile(path.join(here, 'package-lock.json')))
    .digest('hex'),
  builtAt: new Date().toISOString(),
};
const tmp = path.join(outdir, `.manifest-${process.pid}.json`);
await writeFile(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
await rename(tmp, path.join(outdir, 'manifest.json'));

// 4. Files of earlier builds go only after the new manifest is in place.
for (const name of await readdir(outdir)) {
  if (name !== 'manifest.json' && !written.has(name)) {
    await rm(path.join(outdir, name), { recursive: true, force: true });
  }
}

const mb = (n) => `${(n / 1024 / 1024).toFixed(2)} MB`;
console.log(
  `GraphiQL assets: ${files.size} files, ${mb(raw)} (${mb(gzipped)} gzipped), ` +
    `${inlined} data: URLs written out as files, in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
    `-> ${path.relative(process.cwd(), outdir) || outdir}`,
);
