import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built by `npm install` (the root `prepare`), served by the server at `/`; hashed files go to
// dist/assets, which the server caches for a year.
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1500 },
  logLevel: 'warn',
});
