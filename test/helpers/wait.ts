/**
 * The one bounded wait of the tests: polls `fn` until it returns a truthy
 * value and returns it; after `ms` it fails naming `what` and the last value
 * or error seen. A test waits on a state it can observe, never on time alone.
 */
export async function waitFor<T>(
  what: string,
  fn: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  ms = 30_000,
  every = 100,
): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= until) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${ms} ms waiting for ${what}${seen === undefined ? '' : `; last: ${seen}`}`);
    }
    await new Promise((r) => setTimeout(r, every));
  }
}
