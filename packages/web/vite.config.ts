import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The server serves packages/web/dist; in development Vite proxies the API to a running server.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      output: {
        // Long-lived vendor chunks cache across releases; pages are lazy routes on top of them.
        codeSplitting: {
          groups: [
            { name: "echarts", test: /node_modules[\\/](echarts|zrender|echarts-for-react)[\\/]/, priority: 30 },
            { name: "antd", test: /node_modules[\\/](antd|@ant-design|@rc-component|rc-[a-z-]+|dayjs)[\\/]/, priority: 20 },
            { name: "querybuilder", test: /node_modules[\\/](react-querybuilder|@react-querybuilder|immer|@reduxjs|redux)[\\/]/, priority: 15 },
            { name: "core", test: /node_modules[\\/](zod|decimal\.js)[\\/]/, priority: 12 },
            { name: "react", test: /node_modules[\\/](react|react-dom|scheduler|react-router|@tanstack|i18next|react-i18next)[\\/]/, priority: 10 },
          ],
        },
      },
    },
  },
  server: {
    // REVLINE_API_URL points the dev UI at a server on another port.
    proxy: { "/api": { target: process.env.REVLINE_API_URL ?? "http://127.0.0.1:3000", changeOrigin: false } },
  },
});
