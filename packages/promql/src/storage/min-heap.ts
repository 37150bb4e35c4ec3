/** A binary min-heap of items by a numeric key, for picking the oldest chunk among many series. */

/** Items ordered by a key that must not change while the item is in the heap. */
export class MinHeap<Item> {
  readonly #items: Item[] = [];
  readonly #keys: number[] = [];

  /** Number of items. */
  get size(): number {
    return this.#items.length;
  }

  /** Adds `item` with `key`. */
  push(item: Item, key: number): void {
    const items = this.#items;
    const keys = this.#keys;
    let index = items.length;
    items.push(item);
    keys.push(key);
    while (index > 0) {
      const parent = (index - 1) >>> 1;
      if (keys[parent]! <= key) break;
      items[index] = items[parent]!;
      keys[index] = keys[parent]!;
      index = parent;
    }
    items[index] = item;
    keys[index] = key;
  }

  /** Removes and returns the item with the smallest key. */
  pop(): Item | undefined {
    const items = this.#items;
    const keys = this.#keys;
    const top = items[0];
    const lastItem = items.pop();
    const lastKey = keys.pop();
    if (items.length === 0 || lastItem === undefined || lastKey === undefined) return top;
    let index = 0;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= items.length) break;
      if (child + 1 < items.length && keys[child + 1]! < keys[child]!) child++;
      if (keys[child]! >= lastKey) break;
      items[index] = items[child]!;
      keys[index] = keys[child]!;
      index = child;
    }
    items[index] = lastItem;
    keys[index] = lastKey;
    return top;
  }
}
