#!/usr/bin/env node
/**
 * Builds the editor: bundles ui/src (TypeScript, litegraph.js, uPlot and their CSS) with esbuild into
 * ui/dist (index.html, app.js, app.css). Nothing is fetched at run time.
 *
 *   node ui/build.mjs            # production build (minified, with a source map)
 *   node ui/build.mjs --watch    # rebuild on change
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ui = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const dist = join(ui, 'dist');
const watch = process.argv.includes('--watch');

/** The core of litegraph.js only: its main build also registers LiteGraph's demo node types. */
const litegraphCore = {
  name: 'litegraph-core',
  setup(build) {
    build.onResolve({ filter: /^litegraph\.js$/ }, () => ({ path: require.resolve('litegraph.js/build/litegraph.core.js') }));
  },
};

/** @type {import('esbuild').BuildOptions} */
const options = {
  entryPoints: { app: join(ui, 'src', 'main.ts') },
  outdir: dist,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome110', 'firefox110', 'safari16'],
  minify: !watch,
  sourcemap: true,
  plugins: [litegraphCore],
  loader: { '.css': 'css' },
  logLevel: 'warning',
  legalComments: 'linked',
};

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
await copyFile(join(ui, 'index.html'), join(dist, 'index.html'));
if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
  console.log('ui: watching ui/src, writing ui/dist');
} else {
  await esbuild.build(options);
  console.log('ui: built ui/dist');
}
