// Builds the web UI. Root is web/, output web/dist, which the server serves at
// `/` with assets under /assets/. `npm run build:web` runs this config.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
// During `vite dev` the API runs on a separate port (default 8000).
const api = process.env.TRANSCRIPTORIO_API ?? 'http://127.0.0.1:8000';

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: true },
      '/health': { target: api, changeOrigin: true },
    },
  },
});
