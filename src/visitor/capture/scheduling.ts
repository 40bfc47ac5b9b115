/** Giving the page's main thread back between slices of work ([CP2]). */

interface SchedulerWithYield {
  yield(): Promise<void>;
}

/**
 * Resolves after the page has had a chance to run its own tasks. Uses `scheduler.yield()`
 * where the browser has it (the continuation keeps its priority), else a MessageChannel
 * task (not clamped like nested setTimeout).
 */
export function yieldToPage(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: Partial<SchedulerWithYield> }).scheduler;
  if (scheduler && typeof scheduler.yield === 'function') return scheduler.yield();
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
