import { sveltekit } from '@sveltejs/kit/vite';
import tailwindcss from '@tailwindcss/vite';
import { buildSync } from 'esbuild';
import { defineConfig, type Plugin } from 'vitest/config';

// The app ships as one script (bundleStrategy 'single' inlines every import()). d3-force, used only by the
// admin network graph, is built into its own file instead and imported when that tab opens:
// `virtual:d3-force` exports a loader of the module.
function lazyD3Force(): Plugin {
  const id = 'virtual:d3-force';
  let file: { name: string; code: string } | null = null;
  let build = false;
  let root = '.';
  return {
    name: 'soundtime-lazy-d3-force',
    configResolved(c) {
      build = c.command === 'build';
      root = c.root;
    },
    resolveId: (source) => (source === id ? '\0' + id : null),
    load(resolved) {
      if (resolved !== '\0' + id) return null;
      if (!build) return "export default () => import('d3-force');";
      if (!file) {
        const out = buildSync({ stdin: { contents: "export * from 'd3-force';", resolveDir: root }, bundle: true, format: 'esm', minify: true, write: false, legalComments: 'none' });
        const [f] = out.outputFiles;
        file = { name: `_app/immutable/d3-force.${f.hash.replace(/[^\w]/g, '').slice(0, 10)}.js`, code: f.text };
      }
      // Not a literal, so the bundler leaves the import() to the browser.
      return `const url = ${JSON.stringify('/' + file.name)};\nexport default () => import(/* @vite-ignore */ url);`;
    },
    generateBundle() {
      if (file) this.emitFile({ type: 'asset', fileName: file.name, source: file.code });
    }
  };
}

export default defineConfig({
  plugins: [tailwindcss(), sveltekit(), lazyD3Force()],
  server: {
    // `npm run dev` talks to a server started separately (make run).
    proxy: { '/api': 'http://127.0.0.1:8080', '/healthz': 'http://127.0.0.1:8080' }
  },
  build: { chunkSizeWarningLimit: 400 },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node'
  },
});
