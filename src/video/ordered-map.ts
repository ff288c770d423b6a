/**
 * Maps an async sequence with up to `concurrency` calls of `fn` in flight, yielding results in
 * the source's order. The source is only read as results are taken, so at most `concurrency`
 * items are held at once — how video frames keep every inference worker busy while the tracker
 * still sees them in order, with memory bounded by a few frames.
 */
export async function* orderedMap<T, R>(
  source: AsyncIterable<T>,
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): AsyncGenerator<R> {
  const pending: Array<Promise<R>> = [];
  let index = 0;
  for await (const item of source) {
    const result = fn(item, index++);
    // Awaited in order below; this only keeps a later failure from being reported as unhandled.
    result.catch(() => undefined);
    pending.push(result);
    if (pending.length >= concurrency) yield await pending.shift()!;
  }
  while (pending.length > 0) yield await pending.shift()!;
}
