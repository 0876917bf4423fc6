import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** A single-page app: the server serves build/ and falls back to index.html for every unknown path. */
export default {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: false }),
    version: { pollInterval: 0 },
    // One script and one stylesheet: the whole app is needed anyway, and fewer requests start it sooner.
    output: { bundleStrategy: 'single' }
  }
};
