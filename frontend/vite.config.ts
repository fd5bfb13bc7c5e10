import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** `vite build` → dist/ (served by the gateway in `make dev`); `vite` proxies the API for hot reload. */
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    port: 5173,
    proxy: { '/api': 'http://localhost:8080' },
  },
});
