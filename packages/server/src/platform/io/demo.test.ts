/**
 * The demo data set loads through the import engine and loses nothing: every count is computed here
 * from the source CSV files with plain string splitting (they hold no quoted fields).
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_DIR, loadDemo } from "./demo";
import type { ImportSummary } from "./import.service";
import { allRecords, openIoTestDb, type IoTestDb } from "../../../test/io";
import { getRoles } from "../identity";
import { aggregate } from "../records";

function readCsv(name: string): Record<string, string>[] {
  const [head, ...lines] = fs.readFileSync(path.join(DEMO_DIR, name), "utf8").split(/\r?\n/).filter((l) => l !== "");
  const cols = head!.split(",");
  return lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [cols[i]!, v])));
}

let t: IoTestDb;
let summaries: ImportSummary[];
let seconds: number;
beforeAll(async () => {
  t = await openIoTestDb();
  const started = Date.now();
  summaries = await loadDemo(t.ctx);
  seconds = (Date.now() - started) / 1000;
  console.log(`demo loaded in ${seconds.toFixed(1)} s (${process.env.REVLINE_TEST_DIALECT ?? "sqlite"})`);
}, 600_000);
afterAll(async () => {
  await t?.close();
});

describe("demo data set (Maven Analytics CRM)", () => {
  const pipeline = readCsv("maven/sales_pipeline.csv");
  const teams = readCsv("maven/sales_teams.csv");
  const accountsCsv = readCsv("maven/accounts.csv");

  it("rejects no row in any step, and every summary adds up", () => {
    for (const s of summaries) {
      expect(s.rejected, `${s.object} ${s.fileName}`).toBe(0);
      expect(s.read).toBe(s.inserted + s.updated + s.rejected);
    }
    expect(summaries.map((s) => s.object)).toEqual(["region", "team", "user", "team", "product", "account", "account", "opportunity", "opportunity_line"]);
    // The owners step updates the 85 accounts it names and inserts none.
    expect(summaries[6]).toMatchObject({ read: 85, inserted: 0, updated: 85, rejected: 0 });
  });

  it("has every opportunity, with its stage, account, owner and amount", async () => {
    expect(pipeline.length).toBe(8800);
    const opps = await allRecords(t.ctx, "opportunity");
    expect(opps.length).toBe(pipeline.length);
    const stages = (s: string) => opps.filter((o) => o.stage === s).length;
    const csvStages = (s: string) => pipeline.filter((r) => r.deal_stage === s).length;
    expect([stages("Won"), stages("Lost"), stages("Engaging"), stages("Prospecting")]).toEqual([4238, 2473, 1589, 500]);
    expect([csvStages("Won"), csvStages("Lost"), csvStages("Engaging"), csvStages("Prospecting")]).toEqual([4238, 2473, 1589, 500]);
    expect(opps.filter((o) => o.account === null).length).toBe(pipeline.filter((r) => r.account === "").length);
    expect(opps.filter((o) => o.account === null).length).toBe(1425);
    expect(opps.filter((o) => o.owner === null).length).toBe(0);
    // Won revenue in cents, summed from the CSV's integers and from the stored amounts.
    const wonCsv = pipeline.filter((r) => r.deal_stage === "Won").reduce((sum, r) => sum + BigInt(r.close_value!) * 100n, 0n);
    const wonDb = opps.filter((o) => o.stage === "Won").reduce((sum, o) => sum + BigInt((o.amount as { amount: string }).amount.replace(".", "")), 0n);
    expect(wonDb).toBe(wonCsv);
    expect(wonCsv).toBe(1_000_553_400n);
    expect(opps.every((o) => o.amount === null || (o.amount as { currency: string }).currency === "USD")).toBe(true);
    const one = opps.find((o) => o.external_id === "1C1I7A6R")!;
    expect(one).toMatchObject({ name: "GTX Plus Basic · Cancity #1C1I7A6R", stage: "Won", engage_date: "2016-10-20", close_date: "2017-03-01", amount: { amount: "1054.00", currency: "USD" } });
  });

  it("has every account, product, agent, manager, team and region", async () => {
    const accounts = await allRecords(t.ctx, "account");
    expect(accounts.length).toBe(accountsCsv.length);
    expect(accounts.length).toBe(85);
    const withParent = accounts.filter((a) => a.parent_account !== null).length;
    expect(withParent).toBe(accountsCsv.filter((a) => a.subsidiary_of !== "").length);
    const acme = accounts.find((a) => a.name === "Acme Corporation")!;
    expect(acme).toMatchObject({ industry: "technolgy", year_established: 1996, employees: 2822, country: "United States", annual_revenue: { amount: "1100040000.00", currency: "USD" } });
    expect((await allRecords(t.ctx, "product")).length).toBe(7);
    const users = await allRecords(t.ctx, "user");
    const managers = new Set(teams.map((r) => r.manager));
    expect(teams.length).toBe(35);
    expect(users.length).toBe(35 + managers.size);
    expect(managers.size).toBe(6);
    const userId = (name: string) => users.find((u) => u.name === name)!.id;
    const moses = users.find((u) => u.name === "Moses Frase")!;
    expect(moses.manager).toBe(userId("Dustin Brinkmann"));
    const regions = await allRecords(t.ctx, "region");
    expect(regions.map((r) => r.name).sort()).toEqual(["Central", "East", "West"]);
    const teamRecords = await allRecords(t.ctx, "team");
    expect(teamRecords.length).toBe(6);
    const team = teamRecords.find((x) => x.id === moses.team)!;
    expect(team).toMatchObject({ manager: userId("Dustin Brinkmann"), region: regions.find((r) => r.name === "Central")!.id });
  });

  it("owns every account by the agent with the most deals on it (ties: first name alphabetically)", async () => {
    const users = await allRecords(t.ctx, "user");
    const nameOf = new Map(users.map((u) => [String(u.id), String(u.name)]));
    const deals = new Map<string, Map<string, number>>();
    for (const r of pipeline) {
      if (!r.account) continue;
      const per = deals.get(r.account) ?? new Map<string, number>();
      per.set(r.sales_agent!, (per.get(r.sales_agent!) ?? 0) + 1);
      deals.set(r.account, per);
    }
    const accounts = await allRecords(t.ctx, "account");
    expect(accounts.length).toBe(85);
    for (const a of accounts) {
      const ranked = [...(deals.get(String(a.name)) ?? new Map<string, number>())].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
      expect(nameOf.get(String(a.owner)), String(a.name)).toBe(ranked[0]?.[0]);
    }
  });

  it("gives managers the sales manager role and agents the sales rep role; a rep sees own and team deals", async () => {
    const users = await allRecords(t.ctx, "user");
    const managers = new Set(teams.map((r) => r.manager));
    for (const u of users) expect(await getRoles(t.db, String(u.id)), String(u.name)).toEqual([managers.has(String(u.name)) ? "sales_manager" : "sales_rep"]);
    // Moses Frase as a rep: his deals and those of his team (the agents of his manager in sales_teams.csv).
    const moses = users.find((u) => u.name === "Moses Frase")!;
    const manager = teams.find((r) => r.sales_agent === "Moses Frase")!.manager;
    const teamAgents = new Set(teams.filter((r) => r.manager === manager).map((r) => r.sales_agent));
    const expected = pipeline.filter((r) => teamAgents.has(r.sales_agent)).length;
    const mosesId = String(moses.id);
    const rep = { kind: "user" as const, id: mosesId, name: "Moses Frase", isAdmin: false, roles: ["sales_rep"], attrs: { id: mosesId, teams: [String(moses.team)] } };
    const seen = await aggregate({ ...t.ctx, actor: rep }, "opportunity", { metrics: [{ fn: "count" }] });
    expect(seen.rows[0]!.values.count).toBe(expected);
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(pipeline.length);
  });

  it("has one line per opportunity, GTXPro resolved to GTX Pro", async () => {
    const lines = await allRecords(t.ctx, "opportunity_line");
    expect(lines.length).toBe(8800);
    const products = await allRecords(t.ctx, "product");
    const gtxPro = products.find((p) => p.name === "GTX Pro")!;
    expect(pipeline.filter((r) => r.product === "GTXPro").length).toBe(1480);
    expect(lines.filter((l) => l.product === gtxPro.id).length).toBe(1480);
    expect(lines.every((l) => l.product !== null && l.opportunity !== null && l.quantity === 1)).toBe(true);
  });

  it("loads in reasonable time", () => {
    expect(seconds).toBeGreaterThan(0);
  });
});
