import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/*
 * The client is built from client/ into client/dist; the server serves that folder.
 * `@protocol` points at server/protocol so both sides share one set of types and zod schemas.
 * Only types and browser-safe zod schemas may be imported from there.
 */
const dir = (relative: string) => decodeURIComponent(new URL(relative, import.meta.url).pathname);

const backend = process.env.CM_BACKEND ?? 'http://localhost:3000';
const proxy = {
  '/api': { target: backend, changeOrigin: false },
  '/socket.io': { target: backend, ws: true, changeOrigin: false },
};

export default defineConfig({
  root: dir('.'),
  plugins: [react()],
  resolve: {
    alias: { '@protocol': dir('../server/protocol') },
  },
  build: {
    outDir: dir('./dist'),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 800,
  },
  server: { proxy },
  preview: { proxy },
});
