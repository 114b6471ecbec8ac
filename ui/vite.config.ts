import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";
import { defineConfig } from "vitest/config";

// The desktop shell embeds `dist/` (see ../tauri.conf.json, `frontendDist`).
export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  clearScreen: false,
  server: { port: 1420, strictPort: true },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK 2.40+ on Linux, WKWebView on macOS, WebView2 on Windows.
    target: "es2022",
  },
  test: {
    // Pure logic runs in node; component tests opt into jsdom with a file comment.
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
