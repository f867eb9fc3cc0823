/**
 * Vite config of the portal's web front end. Run from the cloud-portal workspace:
 * `npm run build -w cloud-portal` (→ web/dist, served by the Fastify API) or
 * `npm run dev:web -w cloud-portal` (dev server proxying the API on 127.0.0.1:8080).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const apiTarget = process.env.VIGIE_API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // The server's CSP is `default-src 'self'`: never inline assets as data: URLs or scripts.
    assetsInlineLimit: 0,
    sourcemap: true,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: {
      // Server-sent events (/api/events) pass through this proxy unbuffered.
      '/api': { target: apiTarget, changeOrigin: false },
      '/demo/api': { target: apiTarget, changeOrigin: false },
    },
  },
  preview: { host: '127.0.0.1', port: 4173 },
});
