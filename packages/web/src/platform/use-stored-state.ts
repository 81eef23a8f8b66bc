import { useCallback, useEffect, useState } from "react";

function readStored<T>(key: string, initial: () => T): T {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : initial();
  } catch {
    return initial();
  }
}

/**
 * useState mirrored to localStorage under `key` (per-user UI preferences such as chosen columns).
 * Callers remount per key (the list page is keyed by object), so the key is read once.
 */
export function useStoredState<T>(key: string, initial: () => T): [T, (v: T | null) => void] {
  const [value, setValue] = useState<T>(() => readStored(key, initial));
  const set = useCallback(
    (v: T | null) => {
      if (v === null) {
        localStorage.removeItem(key);
        setValue(initial());
      } else {
        localStorage.setItem(key, JSON.stringify(v));
        setValue(v);
      }
    },
    [key, initial],
  );
  return [value, set];
}

/** Measures an element's height so a virtual table can fill the space left on the page. */
export function useElementHeight<E extends HTMLElement>(): [(el: E | null) => void, number] {
  const [el, setEl] = useState<E | null>(null);
  const [height, setHeight] = useState(0);
  useEffect(() => {
    if (!el) return;
    // The observer reports the first size right after observe(), then every change.
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, [el]);
  return [setEl, height];
}
