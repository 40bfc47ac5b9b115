/**
 * Patching page prototypes safely ([CP5]): the page's own call always runs first and
 * unchanged; our observer runs after it inside a guard, so a bug of ours can never break
 * the host page. Each hook returns its disposer.
 */

/** Something that undoes a subscription; calling it twice is harmless. */
export type Disposer = () => void;

/** Reports errors of our own callbacks without letting them reach the page. */
export type ErrorReporter = (error: unknown) => void;

/** Calls `fn`, reporting and swallowing anything it throws. */
export function guard<A extends unknown[]>(report: ErrorReporter, fn: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      fn(...args);
    } catch (error) {
      report(error);
    }
  };
}

/** Runs `after(this, args, result)` after every call of `proto[name]`. */
export function hookMethod<T extends object>(
  proto: T,
  name: string,
  after: (self: unknown, args: unknown[], result: unknown) => void,
  report: ErrorReporter,
): Disposer {
  const descriptor = Object.getOwnPropertyDescriptor(proto, name);
  const original = descriptor?.value as ((...args: unknown[]) => unknown) | undefined;
  if (typeof original !== 'function' || !descriptor?.writable && !descriptor?.configurable) return () => {};
  let active = true;
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    const result = original.apply(this, args);
    if (active) {
      try {
        after(this, args, result);
      } catch (error) {
        report(error);
      }
    }
    return result;
  };
  Object.defineProperty(proto, name, { ...descriptor, value: wrapper });
  return () => {
    active = false;
    // Restore only if nobody wrapped us since; otherwise stay in the chain, inert.
    if (Object.getOwnPropertyDescriptor(proto, name)?.value === wrapper) {
      Object.defineProperty(proto, name, descriptor);
    }
  };
}

/** Runs `after(this, value)` after every assignment to the accessor `proto[name]`. */
export function hookSetter<T extends object>(
  proto: T,
  name: string,
  after: (self: unknown, value: unknown) => void,
  report: ErrorReporter,
): Disposer {
  const descriptor = Object.getOwnPropertyDescriptor(proto, name);
  const originalSet = descriptor?.set;
  if (!descriptor || !originalSet || !descriptor.configurable) return () => {};
  let active = true;
  const set = function (this: unknown, value: unknown): void {
    originalSet.call(this, value);
    if (active) {
      try {
        after(this, value);
      } catch (error) {
        report(error);
      }
    }
  };
  Object.defineProperty(proto, name, { ...descriptor, set });
  return () => {
    active = false;
    if (Object.getOwnPropertyDescriptor(proto, name)?.set === set) {
      Object.defineProperty(proto, name, descriptor);
    }
  };
}

/** Adds an event listener and returns its disposer. */
export function listen(
  target: EventTarget,
  type: string,
  handler: (event: Event) => void,
  options: AddEventListenerOptions = { capture: true, passive: true },
): Disposer {
  target.addEventListener(type, handler, options);
  return () => target.removeEventListener(type, handler, options);
}
