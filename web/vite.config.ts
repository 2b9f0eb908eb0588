// The web console bundle: Preact + uPlot + yaml, built to web/dist and served by the apiserver at
// /console/. `make build` runs `vite build web`; no dev server or CDN is involved.
import { defineConfig } from 'vite';

export default defineConfig({
  root: __dirname,
  base: '/console/',
  publicDir: false,
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  resolve: {
    alias: { react: 'preact/compat', 'react-dom': 'preact/compat' },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    reportCompressedSize: true,
    chunkSizeWarningLimit: 400,
    modulePreload: { polyfill: false },
  },
  logLevel: 'warn',
});
