import { sveltekit } from '@sveltejs/kit/vite';
import tailwindcss from '@tailwindcss/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [tailwindcss(), sveltekit()],
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
