/**
 * The dynamic watermark: when an administrator turns it on (PUT /api/settings/watermark, or
 * REVLINE_WATERMARK=1), every signed-in page carries a faint tiled overlay naming the user, their
 * login and the current time (refreshed every minute). It is an element of the page drawn above
 * everything (fixed, pointer-events: none), so a screenshot of the page includes it; its tile is a
 * canvas-made PNG data: URL. If the element is removed or restyled in the page, it is put back.
 */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type CSSProperties } from "react";
import { fetchWatermark } from "../api/exports";

export const WATERMARK_KEY = ["settings", "watermark"] as const;

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** One tile: the lines rotated a little, faint on transparent. */
function drawTile(lines: string[]): string {
  const ratio = Math.min(2, window.devicePixelRatio || 1);
  const w = 340;
  const h = 190;
  const canvas = document.createElement("canvas");
  canvas.width = w * ratio;
  canvas.height = h * ratio;
  const g = canvas.getContext("2d");
  if (!g) return "";
  g.scale(ratio, ratio);
  g.translate(w / 2, h / 2);
  g.rotate(-Math.PI / 9);
  g.font = '13px -apple-system, "Segoe UI", Roboto, "PingFang SC", "Microsoft YaHei", sans-serif';
  g.textAlign = "center";
  g.textBaseline = "middle";
  // Dark text for light surfaces, with a faint light outline so it shows on the dark navigation too.
  g.lineWidth = 2;
  g.strokeStyle = "rgba(255, 255, 255, 0.08)";
  g.fillStyle = "rgba(15, 27, 61, 0.11)";
  lines.forEach((line, i) => {
    const y = (i - (lines.length - 1) / 2) * 19;
    g.strokeText(line, 0, y);
    g.fillText(line, 0, y);
  });
  return canvas.toDataURL("image/png");
}

const OVERLAY_STYLE: CSSProperties = {
  position: "fixed",
  inset: 0,
  pointerEvents: "none",
  zIndex: 2147483000,
  backgroundRepeat: "repeat",
};

/** Draws the overlay for this user when the watermark is on; nothing otherwise. */
export function Watermark({ name, login }: { name: string; login: string }) {
  const setting = useQuery({ queryKey: WATERMARK_KEY, queryFn: fetchWatermark, staleTime: 60_000, refetchInterval: 5 * 60_000, retry: false });
  const [now, setNow] = useState(() => new Date());
  const ref = useRef<HTMLDivElement>(null);
  const enabled = setting.data?.enabled === true;

  useEffect(() => {
    if (!enabled) return;
    // Tick on the minute so the time shown is the current one.
    let timer = window.setTimeout(function tick() {
      setNow(new Date());
      timer = window.setTimeout(tick, 60_000 - (Date.now() % 60_000) + 50);
    }, 60_000 - (Date.now() % 60_000) + 50);
    return () => window.clearTimeout(timer);
  }, [enabled]);

  const text = `${name} · ${login} · ${stamp(now)}`;
  const image = useMemo(() => (enabled ? drawTile([name, login, stamp(now)]) : ""), [enabled, name, login, now]);

  // A layout effect, not a passive one: React's own style change (the new tile every minute) is a
  // mutation too. The old observer must be gone, its pending records discarded, before the
  // microtask that delivers them runs; a passive effect's clean-up comes later, so the old observer
  // used to put the first tile back every minute and the drawn time never moved.
  useLayoutEffect(() => {
    const el = ref.current;
    const parent = el?.parentNode;
    if (!enabled || !el || !parent || typeof MutationObserver === "undefined") return;
    const style = el.getAttribute("style") ?? "";
    // Removing, hiding or restyling the overlay in the page puts it back as it was.
    const observer = new MutationObserver(() => {
      if (el.getAttribute("style") !== style) el.setAttribute("style", style);
      if (el.hidden) el.hidden = false;
      if (!el.isConnected) parent.appendChild(el);
    });
    observer.observe(el, { attributes: true });
    observer.observe(parent, { childList: true });
    return () => observer.disconnect();
  }, [enabled, image]);

  if (!enabled || !image) return null;
  return (
    <div
      ref={ref}
      aria-hidden="true"
      data-testid="watermark"
      data-watermark-text={text}
      style={{ ...OVERLAY_STYLE, backgroundImage: `url(${image})`, backgroundSize: "340px 190px" }}
    />
  );
}
