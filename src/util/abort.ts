// Abort plumbing shared by every module that waits on the network or on time: one way to turn
// an AbortSignal into an error, to stop waiting for work that cannot be aborted itself, and to
// sleep until a time or an abort.

/** The signal's own reason when it is an Error, else a DOMException named AbortError. */
export function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException('The probe was aborted', 'AbortError');
}

/**
 * Settles with `work`, or rejects with the abort as soon as `signal` aborts, so a caller never
 * waits on work that ignores its signal (a library call, a file read).
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Resolves after `ms` (at once when not positive); rejects when `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Settles with `work`, unless `signal` aborts and `work` has not settled `graceMs` later: then
 * it is left behind and this rejects (work that ignores its abort must not hold up an exit).
 */
export function abandonAfterAbort<T>(
  work: Promise<T>,
  signal: AbortSignal,
  graceMs: number,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const abandoned = new Promise<never>((_resolve, reject) => {
    onAbort = () => {
      timer = setTimeout(() => reject(new Error('the work did not stop in time')), graceMs);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  // Work left behind may still reject later; that is expected and must not crash the process.
  work.catch(() => undefined);
  return Promise.race([work, abandoned]).finally(() => {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  });
}

/** One unit of work's own signal (an attempt, a relay), and its release when the work is done. */
export interface ForkedSignal {
  signal: AbortSignal | undefined;
  release: () => void;
}

/**
 * Hands out a signal per unit of work under one parent through a single listener on the parent.
 * Every wait of a unit (a connect, a reply, a TLS handshake, a relay session) listens on its
 * own signal, so the parent carries one listener however many units are in flight: a pass runs
 * 16 attempts and any number of relays at once, and a shared signal would pass EventTarget's
 * leak warning at 10 listeners (MaxListenersExceededWarning) in every cycle.
 */
export class AbortFanout {
  private readonly live = new Set<AbortController>();
  private readonly onAbort = (): void => {
    for (const controller of this.live) controller.abort(this.parent?.reason);
    this.live.clear();
  };

  constructor(private readonly parent: AbortSignal | undefined) {
    parent?.addEventListener('abort', this.onAbort, { once: true });
  }

  fork(): ForkedSignal {
    if (this.parent === undefined) return { signal: undefined, release: () => undefined };
    const controller = new AbortController();
    if (this.parent.aborted) controller.abort(this.parent.reason);
    else this.live.add(controller);
    return { signal: controller.signal, release: () => this.live.delete(controller) };
  }

  /** Runs `work` with a forked signal, released when it settles. */
  async run<T>(work: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    const { signal, release } = this.fork();
    try {
      return await work(signal);
    } finally {
      release();
    }
  }

  /** Removes the listener from the parent (the units' signals stay as they are). */
  close(): void {
    this.parent?.removeEventListener('abort', this.onAbort);
    this.live.clear();
  }
}
