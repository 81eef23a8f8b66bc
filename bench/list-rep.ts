/**
 * The list figure of the access issue: the same pages as the list figure, asked by a sales rep whose
 * role has a row condition through the team hierarchy (own deals, or deals whose owner's team is one
 * of the rep's teams: a subquery on obj_user per page) and three masked fields (amount as a range,
 * next step and description as masked text), against the same list asked by the administrator.
 * Everything is set up through the product's API, as an admin would: teams per region under one
 * parent team, each owner in their region's team, a role with that policy, the rep's token.
 */
import { createClient, log, now, percentile, type Client } from "./measure";
import { listPath, medianOwner } from "./list";
import type { ProductApp } from "./product";

type Stat = { p50: number; p99: number };
export type RepListFigures = { admin: Stat; rep: Stat; requests: number; pages: number; owner: string };

const BLOCK = 50;
const ROLE = "bench_rep";

async function ok(res: Promise<{ status: number; body: string }>, what: string): Promise<unknown> {
  const r = await res;
  if (r.status >= 300) throw new Error(`${what} answered ${r.status}: ${r.body.slice(0, 300)}`);
  return r.body ? JSON.parse(r.body) : undefined;
}

/** Teams, the role and the rep's token; idempotent for a database that has them already. */
async function prepareRep(admin: Client, ownerId: string): Promise<string> {
  type Rec = { id: string; name: string; region?: string | null; team?: string | null };
  const users = ((await ok(admin.get("/api/objects/user/records?limit=1000&fields=name,region,team"), "list users")) as { records: Rec[] }).records;
  const regions = ((await ok(admin.get("/api/objects/region/records?limit=1000&fields=name"), "list regions")) as { records: Rec[] }).records;
  const teams = ((await ok(admin.get("/api/objects/team/records?limit=1000&fields=name"), "list teams")) as { records: Rec[] }).records;
  const teamOf = new Map(teams.map((t) => [t.name, t.id]));
  const ensureTeam = async (name: string, parent?: string) =>
    teamOf.get(name) ??
    ((await ok(admin.post("/api/objects/team/records", { name, ...(parent ? { parent_team: parent } : {}) }), `create team ${name}`)) as Rec).id;
  const sales = await ensureTeam("Bench sales");
  const regionTeam = new Map<string, string>();
  for (const r of regions) regionTeam.set(r.id, await ensureTeam(`Bench ${r.name}`, sales));
  for (const u of users) {
    const team = u.region ? regionTeam.get(u.region) : undefined;
    if (team && u.team !== team) await ok(admin.send("PATCH", `/api/objects/user/records/${u.id}`, { team }), `set team of ${u.name}`);
  }
  const roles = (await ok(admin.get("/api/access/roles"), "list roles")) as { roles: { name: string }[] };
  if (!roles.roles.some((r) => r.name === ROLE))
    await ok(admin.post("/api/access/roles", { name: ROLE, label: { en: "Bench rep", zh: "基准销售代表" } }), "create role");
  await ok(
    admin.send("PUT", `/api/access/roles/${ROLE}/policies/opportunity`, {
      actions: ["read"],
      rowCondition: {
        any: [
          { field: "owner", op: "eq", value: { $actor: "id" } },
          { field: "owner.team", op: "in", value: { $actor: "teams" } },
        ],
      },
      fieldRules: { amount: { rule: "masked", mask: "amount_range" }, next_step: { rule: "masked", mask: "text" }, description: { rule: "masked", mask: "text" } },
    }),
    "set policy",
  );
  await ok(admin.send("PUT", `/api/users/${ownerId}/roles`, { roles: [ROLE] }), "set the rep's roles");
  const made = (await ok(admin.post("/api/tokens", { name: `bench rep ${new Date().toISOString()}`, userId: ownerId }), "make the rep's token")) as { token: string };
  return made.token;
}

export async function benchListAsRep(product: ProductApp, dbFile: string, opts: { requests: number; warmup: number; pages: number; budgetSeconds: number }): Promise<RepListFigures> {
  const owner = medianOwner(dbFile);
  const admin = createClient(product.baseUrl, { authorization: `Bearer ${product.token}` });
  const repToken = await prepareRep(admin, owner.id);
  const rep = createClient(product.baseUrl, { authorization: `Bearer ${repToken}` });
  try {
    // The rep's pages must be the admin's pages (the filter is the rep's own deals), with the three fields masked.
    const paths: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < opts.pages; i++) {
      const path = listPath(owner.id, cursor);
      const a = (await ok(admin.get(path), "admin list")) as { records: Record<string, unknown>[]; nextCursor: string | null };
      const r = (await ok(rep.get(path), "rep list")) as { records: Record<string, unknown>[]; nextCursor: string | null };
      if (a.records.map((x) => x.id).join() !== r.records.map((x) => x.id).join()) throw new Error(`page ${i + 1}: the rep sees other rows than the admin for the rep's own deals`);
      const clear = r.records.find((x, k) => x.amount !== null && JSON.stringify(x.amount) === JSON.stringify(a.records[k]!.amount));
      if (clear) throw new Error(`page ${i + 1}: the rep sees the amount of ${String(clear.id)} in clear`);
      paths.push(path);
      if (!a.nextCursor || a.records.length < 50) break;
      cursor = a.nextCursor;
    }
    const adminMs: number[] = [];
    const repMs: number[] = [];
    const side = async (client: Client, n: number, offset: number, into: number[] | null) => {
      for (let k = 0; k < n; k++) {
        const res = await client.get(paths[(offset + k) % paths.length]!);
        if (res.status !== 200) throw new Error(`list answered ${res.status}`);
        into?.push(res.ms);
      }
    };
    log(`  list as rep: ${owner.name} (role ${ROLE}: own + team rows, 3 masked fields), ${paths.length} pages; up to ${opts.requests} requests per side`);
    await side(admin, opts.warmup, 0, null);
    await side(rep, opts.warmup, 0, null);
    const start = now();
    let offset = 0;
    while (repMs.length < opts.requests && (now() - start) / 1000 < opts.budgetSeconds) {
      await side(admin, BLOCK, offset, adminMs);
      await side(rep, BLOCK, offset, repMs);
      offset += BLOCK;
    }
    const stat = (xs: number[]): Stat => ({ p50: percentile(xs, 50), p99: percentile(xs, 99) });
    return { admin: stat(adminMs), rep: stat(repMs), requests: repMs.length, pages: paths.length, owner: owner.name };
  } finally {
    admin.close();
    rep.close();
  }
}
