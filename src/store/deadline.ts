/**
 * Races a promise against a deadline. The loser keeps running (a Durable Object call cannot be
 * cancelled), so its rejection is swallowed here rather than surfacing as unhandled.
 */
export const TIMED_OUT = Symbol('timed out');

export async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  if (ms <= 0) {
    work.catch(() => undefined);
    return TIMED_OUT;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => {
      resolve(TIMED_OUT);
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    work.catch(() => undefined);
  }
}
