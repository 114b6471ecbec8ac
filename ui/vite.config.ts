import { defineConfig } from "vitest/config";

// The desktop shell embeds `dist/` (see ../tauri.conf.json, `frontendDist`).
export default defineConfig({
  clearScreen: false,
  server: { port: 1420, strictPort: true },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK 2.40+ on Linux, WKWebView on macOS, WebView2 on Windows.
    target: "es2022",
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
