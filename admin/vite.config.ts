import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Which vendor chunk a module from node_modules goes to; undefined lets Rollup decide. */
function vendorChunk(id: string): string | undefined {
  if (!id.includes('/node_modules/')) return undefined;
  if (/\/node_modules\/(react|react-dom|scheduler|react-router|react-router-dom|@remix-run\/router|@tanstack\/[^/]+)\//.test(id)) return 'react';
  if (/\/node_modules\/@ant-design\/pro-[^/]+\//.test(id)) return 'pro';
  if (/\/node_modules\/(antd|dayjs|rc-[^/]+|@rc-component\/[^/]+|@ant-design\/(?!pro-)[^/]+)\//.test(id)) return 'antd';
  return undefined;
}

// Run from the repository root: `vite build --config admin/vite.config.ts` (root is this folder either way).
export default defineConfig({
  root: here,
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: { manualChunks: vendorChunk },
    },
  },
  server: {
    proxy: {
      '/admin/api': { target: 'http://127.0.0.1:8080', changeOrigin: false },
    },
  },
});
