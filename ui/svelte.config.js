import { vitePreprocess } from "@sveltejs/vite-plugin-svelte";

// Lets `<script lang="ts">` in components go through Vite's TypeScript transform.
export default {
  preprocess: vitePreprocess(),
};
