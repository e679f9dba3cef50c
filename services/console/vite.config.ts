import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * Static files for the gateway to serve at / (services/gateway/src/console): index.html and
 * content-hashed assets under /assets/ (cached for a year; index.html never). No inline script,
 * so the page runs under a CSP without 'unsafe-inline' scripts.
 */
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: true,
    // maplibre-gl alone is ~1 MB minified; one chunk for it keeps the app's own chunk small and cached apart.
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      // Its "plugin timings" note is noise on a busy two-core machine.
      checks: { pluginTimings: false },
      output: {
        codeSplitting: { groups: [{ name: 'maplibre', test: /node_modules[\\/]maplibre-gl/ }] },
      },
    },
  },
  server: {
    port: 5173,
    // `npm run dev -w services/console` against a running stack: the gateway answers the rest.
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/auth': 'http://127.0.0.1:8080',
      '/console-config.json': 'http://127.0.0.1:8080',
    },
  },
});
