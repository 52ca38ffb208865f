// Creating thousands of objects against a busy apiserver: `size` calls at a time, each failed call
// (apiserver busy) tried again, a 409 (already there, from an earlier attempt) counted as done.
export async function pool<T>(items: readonly T[], size: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  const once = async (item: T) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(item);
      } catch (err) {
        if ((err as { code?: number }).code === 409) return;
        if (attempt >= 10) throw err;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (i < items.length) await once(items[i++]!);
    }),
  );
}
