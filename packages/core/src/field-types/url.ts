import { fail, ok, textType } from "./common";

// http(s) URL, or a bare host name like www.example.com (CRM users type websites that way).
const URL_PATTERN = /^(https?:\/\/)?([a-z0-9\u00a1-\uffff-]+\.)+[a-z\u00a1-\uffff]{2,}(:\d{1,5})?([/?#]\S*)?$/i;
const LOCAL_URL = /^https?:\/\/(localhost|\d{1,3}(\.\d{1,3}){3})(:\d{1,5})?([/?#]\S*)?$/i;

export const urlField = textType("url", 2048, (raw) => {
  const s = raw.trim();
  if (s === "") return ok(null);
  return URL_PATTERN.test(s) || LOCAL_URL.test(s) ? ok(s) : fail("not a valid URL (e.g. https://example.com)");
});
