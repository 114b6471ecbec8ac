/**
 * What jsdom lacks and the app touches: media queries (theme) and layout
 * observers (the calendar). Call from a jsdom test's beforeEach.
 */
export function stubBrowser(): void {
  window.matchMedia = (query: string) =>
    ({ matches: false, media: query, addEventListener() {}, removeEventListener() {} }) as unknown as MediaQueryList;
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}
