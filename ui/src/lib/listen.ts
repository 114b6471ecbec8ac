/**
 * Listens to a backend event for as long as a component is mounted: call it
 * in `onMount` and return what it returns. The listener is set up
 * asynchronously, so one that arrives after the component is gone is stopped
 * at once instead of leaking.
 */
export function listenWhileMounted(
  start: () => Promise<() => void>,
  onError: (raw: unknown) => void,
): () => void {
  let stop: (() => void) | undefined;
  let closed = false;
  start()
    .then((unsubscribe) => {
      if (closed) {
        unsubscribe();
      } else {
        stop = unsubscribe;
      }
    })
    .catch(onError);
  return () => {
    closed = true;
    stop?.();
  };
}
