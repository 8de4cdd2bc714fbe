import { IEntry } from './model';

/*
 * The sidebar's filter box: each entry's text under the keys the core names
 * (`search_keys` of the journal's JSON), built while the browser is idle.
 */

/**
 * Lower-case text a filter query is matched against: the entry's values under
 * the keys the core names (`search_keys`; an object's key: all its values).
 */
function haystack(entry: IEntry, keys: string[]): string {
  const parts: string[] = [];
  const record = entry as unknown as Record<string, unknown>;
  const add = (value: unknown): void => {
    if (value && typeof value === 'object') {
      Object.values(value).forEach(add);
    } else if (value !== undefined && value !== null) {
      parts.push(String(value));
    }
  };
  for (const key of keys) {
    add(record[key]);
  }
  return parts.join('\n').toLowerCase();
}

/** Run `callback` when the browser is idle (after a timer where it cannot tell); returns a canceller. */
function whenIdle(callback: () => void): () => void {
  if (typeof requestIdleCallback === 'function') {
    const id = requestIdleCallback(callback, { timeout: 2000 });
    return () => cancelIdleCallback(id);
  }
  const id = window.setTimeout(callback, 50);
  return () => window.clearTimeout(id);
}

/** Texts built in one idle slice: a few milliseconds, so a keystroke or a frame never waits long for one. */
const SLICE = 500;

/**
 * The closed entries a filter searches, newest first. Each one's text is built
 * when the browser is idle after the first paint, a slice at a time, and the
 * rest at once by the first query that needs them: opening a journal of
 * 10,000 entries builds no text before it is painted.
 */
export class EntryIndex {
  constructor(
    readonly entries: IEntry[],
    readonly keys: string[]
  ) {}

  /** The entries holding every word of `query` (case ignored); all of them for a blank query. */
  filter(query: string): IEntry[] {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) {
      return this.entries;
    }
    const texts = this._build(Infinity);
    return this.entries.filter((_, i) =>
      words.every(w => texts[i].includes(w))
    );
  }

  /** Build the texts in idle slices, from the frame after this one; returns a canceller. */
  warm(): () => void {
    let cancel = (): void => undefined;
    const step = (): void => {
      if (this._build(SLICE).length < this.entries.length) {
        cancel = whenIdle(step);
      }
    };
    // An idle period can come before the first paint: wait for its frame.
    const frame = requestAnimationFrame(() => (cancel = whenIdle(step)));
    return () => {
      cancelAnimationFrame(frame);
      cancel();
    };
  }

  /** Build up to `count` more texts; all built so far. */
  private _build(count: number): string[] {
    const { entries, keys, _texts: texts } = this;
    for (let i = 0; i < count && texts.length < entries.length; i++) {
      texts.push(haystack(entries[texts.length], keys));
    }
    return texts;
  }

  private _texts: string[] = [];
}
