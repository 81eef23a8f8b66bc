/** Journey: sign in (and a wrong password), the dashboard, switching to Chinese and back. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ADMIN_EMAIL, newContext, screenshot, signIn, useApp } from "./harness";

const app = useApp();

test("a wrong password is refused with a message, the right one opens the dashboard", async () => {
  const context = await newContext(app.browser);
  const page = await context.newPage();
  await page.goto(`${app.server.url}/`);
  await page.waitForURL(/\/login/);
  await screenshot(page, "login-en");
  await page.getByLabel("Email").fill(ADMIN_EMAIL);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("login-error").waitFor();
  assert.match(await page.getByTestId("login-error").innerText(), /don't match/);

  await signIn(page, app.server.url);
  await page.getByRole("heading", { name: "Sales overview" }).waitFor();
  // 12 of the 48 seeded deals are Won and 12 Lost: a win rate of 50 %.
  await page.getByTestId("kpi-winrate").getByText("50%").waitFor();
  await page.waitForTimeout(800); // let the chart animations settle for the screenshot
  await screenshot(page, "dashboard-en");
  await context.close();
});

test("the language follows the browser, can be switched, and the choice is kept", async () => {
  const context = await newContext(app.browser, "en-US");
  const page = await context.newPage();
  await signIn(page, app.server.url);
  const nav = page.getByTestId("main-nav");
  await nav.getByText("Opportunities", { exact: true }).waitFor();

  await page.getByTestId("language-switch").getByText("中文").click();
  await nav.getByText("商机", { exact: true }).waitFor();
  await page.getByRole("heading", { name: "销售概览" }).waitFor();
  await page.waitForTimeout(800);
  await screenshot(page, "dashboard-zh");

  // The list headers come from metadata labels in Chinese too.
  await nav.getByText("商机", { exact: true }).click();
  await page.getByRole("columnheader", { name: "阶段" }).waitFor();
  await page.getByText(/共 48 条/).waitFor();
  await screenshot(page, "opportunity-list-zh");

  await page.reload();
  await page.getByRole("columnheader", { name: "阶段" }).waitFor();
  await page.getByTestId("language-switch").getByText("EN").click();
  await page.getByRole("columnheader", { name: "Stage" }).waitFor();
  await context.close();
});

test("a Chinese browser gets Chinese on first visit", async () => {
  const context = await newContext(app.browser, "zh-CN");
  const page = await context.newPage();
  await page.goto(`${app.server.url}/login`);
  await page.getByRole("heading", { name: "登录 Revline" }).waitFor();
  await screenshot(page, "login-zh");
  await context.close();
});

test("with the watermark on, every page carries the user, login and time, lets clicks through, and keeps the time current", async () => {
  await app.server.api.call("PUT", "/api/settings/watermark", { enabled: true });
  const context = await newContext(app.browser);
  const page = await context.newPage();
  const start = new Date("2026-03-05T09:58:30.000Z");
  await page.clock.install({ time: start });
  // The overlay shows local time as yyyy-mm-dd hh:mm (the browser runs in this machine's zone).
  const stamp = (d: Date) => {
    const p = (n: number) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
  };
  try {
    await signIn(page, app.server.url);
    const mark = page.getByTestId("watermark");
    await mark.waitFor({ state: "attached" });
    const first = (await mark.getAttribute("data-watermark-text")) ?? "";
    assert.match(first, new RegExp(`^.+ · ${ADMIN_EMAIL.replace(/\./g, "\\.")} · ${stamp(start)}$`));
    const style = await mark.evaluate((el) => {
      const s = getComputedStyle(el);
      return { pointerEvents: s.pointerEvents, position: s.position, image: s.backgroundImage.startsWith('url("data:image/png;base64,') };
    });
    assert.deepEqual(style, { pointerEvents: "none", position: "fixed", image: true });
    const image = await mark.evaluate((el) => (el as HTMLElement).style.backgroundImage);
    // Clicks pass through the overlay (Playwright refuses to click an element something covers).
    await page.getByTestId("main-nav").getByText("Opportunities", { exact: true }).click();
    await page.getByRole("columnheader", { name: "Stage" }).waitFor();
    await mark.waitFor({ state: "attached" });
    // Two minutes later the text and the drawn tile both name the new time.
    await page.clock.fastForward(120_000);
    const later = stamp(new Date(start.getTime() + 120_000));
    await page.waitForFunction((t) => document.querySelector("[data-testid=watermark]")?.getAttribute("data-watermark-text")?.endsWith(t), later);
    const image2 = await mark.evaluate((el) => (el as HTMLElement).style.backgroundImage);
    assert.notEqual(image2, image, "the tile is redrawn with the new time");
    await screenshot(page, "watermark");
  } finally {
    await context.close();
    await app.server.api.call("PUT", "/api/settings/watermark", { enabled: false });
  }
});
