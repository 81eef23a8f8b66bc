/** i18next setup: English and Simplified Chinese, following the browser unless the user chose. */
import type { Label } from "@revline/core";
import i18n from "i18next";
import { initReactI18next, useTranslation } from "react-i18next";
import { en } from "./en";
import { zhCN } from "./zh-cn";

export type UiLanguage = "en" | "zh-CN";
const STORAGE_KEY = "revline.language";

export function detectLanguage(): UiLanguage {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === "en" || saved === "zh-CN") return saved;
  const browser = navigator.languages?.[0] ?? navigator.language ?? "en";
  return browser.toLowerCase().startsWith("zh") ? "zh-CN" : "en";
}

export function setLanguage(lang: UiLanguage): void {
  localStorage.setItem(STORAGE_KEY, lang);
  void i18n.changeLanguage(lang);
  document.documentElement.lang = lang;
}

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, "zh-CN": { translation: zhCN } },
  lng: detectLanguage(),
  fallbackLng: "en",
  interpolation: { escapeValue: false },
  returnNull: false,
});
document.documentElement.lang = i18n.language;

/** The language a user chose before (stored on the server), or null when they never chose. */
export function asUiLanguage(v: unknown): UiLanguage | null {
  return v === "en" || v === "zh-CN" ? v : null;
}

export function isZh(lang: string): boolean {
  return lang.toLowerCase().startsWith("zh");
}

/** Picks the metadata label for the current language. */
export function useLabel(): (l: Label | undefined, fallback?: string) => string {
  const { i18n: inst } = useTranslation();
  const zh = isZh(inst.language);
  return (l, fallback = "") => (l ? (zh ? l.zh || l.en : l.en || l.zh) : fallback);
}

export { i18n };
