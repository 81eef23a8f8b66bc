/**
 * Support for the permission matrix (platform/access/permission-matrix.test.ts) and the OWASP tests:
 * a seeded organisation (two regions, a team tree with a manager chain, one user per built-in role,
 * partner users, a read-only token), records of every sales object planted with unique MARKER
 * values, and the expected visibility of every row and field per persona, written by hand from the
 * role descriptions in docs/permissions.md. Nothing here calls the product's policy code: the
 * expectations are an independent model that the product must agree with.
 *
 * Also: the route table parsed from Fastify's printRoutes(), a minimal ZIP reader (XLSX text) and a
 * marker scanner.
 */
import crypto from "node:crypto";
import zlib from "node:zlib";
import type { FastifyInstance } from "fastify";
import { createToken } from "../src/platform/identity";
import { createRecord, listRecords, updateRecord, type RecordData } from "../src/platform/records";
import type { TestApp } from "./app";

// ---------------------------------------------------------------------------------------------
// Route table

export type RouteEntry = { method: string; url: string };

/** Every route of the app as (method, url) with Fastify's ":param" segments, HEAD left out. */
export function routeTable(app: FastifyInstance): RouteEntry[] {
  const printed = app.printRoutes({ commonPrefix: false });
  const out: RouteEntry[] = [];
  const stack: { depth: number; path: string }[] = [];
  for (const line of printed.split("\n")) {
    const m = /^([\s│├└─]*?)(?:[├└]── )(.+?) \(([A-Z, ]+)\)\s*$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    while (stack.length && stack[stack.length - 1]!.depth >= depth) stack.pop();
    const parent = stack.length ? stack[stack.length - 1]!.path : "";
    const seg = m[2]!;
    const full = (parent === "/" ? "" : parent) + (seg.startsWith("/") ? seg : `/${seg}`);
    stack.push({ depth, path: full });
    for (const method of m[3]!.split(",").map((s) => s.trim()))
      if (method !== "HEAD") out.push({ method, url: full });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// ZIP (XLSX) text

/** The text of every entry of a ZIP file (stored or deflated), concatenated: XLSX cell text included. */
export function zipTexts(buf: Buffer): string {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--)
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0) throw new Error("not a ZIP file");
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const texts: string[] = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error("bad ZIP central directory");
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString("utf8");
    const dataAt = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(dataAt, dataAt + size);
    const data = method === 0 ? raw : zlib.inflateRawSync(raw);
    texts.push(`--- ${name}\n${data.toString("utf8")}`);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return texts.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Markers

const hex = (n: number) => crypto.randomBytes(n).toString("hex");
const digits = (n: number) => Array.from(crypto.randomBytes(n), (b) => String(b % 10)).join("");

export const marker = {
  text: () => `MARKER${hex(6)}`,
  email: () => {
    const local = `mark${hex(6)}`;
    return { value: `${local}@example.com`, marker: local };
  },
  phone: () => {
    const d = `13${digits(9)}`;
    return { value: d, marker: d };
  },
  /** An amount whose decimal text is unique: 6 integer digits, 2 decimals not ending in 0. */
  amount: () => {
    const int = 100_000 + crypto.randomInt(900_000);
    const cents = `${1 + crypto.randomInt(9)}${1 + crypto.randomInt(9)}`;
    return { value: `${int}.${cents}`, cents: int * 100 + Number(cents), marker: `${int}.${cents}` };
  },
};

/** Finds any of a set of marker strings in a text (one regular expression over all of them). */
export class MarkerScanner {
  private readonly re: RegExp | null;
  constructor(readonly markers: ReadonlySet<string>) {
    const list = [...markers].sort((a, b) => b.length - a.length).map((m) => m.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    this.re = list.length ? new RegExp(list.join("|"), "g") : null;
  }
  hits(text: string): string[] {
    if (!this.re) return [];
    return [...new Set(text.match(this.re) ?? [])];
  }
}

// ---------------------------------------------------------------------------------------------
// The seeded world

export const SALES = ["account", "contact", "lead", "opportunity", "opportunity_line"] as const;
export const DIRECTORY = ["user", "team", "region", "product"] as const;
export const OBJECTS = [...SALES, ...DIRECTORY] as const;
export type ObjectName = (typeof OBJECTS)[number];

export type PersonaKey = "admin" | "manager" | "rep" | "rep_sub" | "rep_other" | "intern" | "partner_a" | "partner_b" | "rep_read_token" | "anonymous";
export type Persona = {
  key: PersonaKey;
  /** The user behind it (undefined: anonymous). */
  userId?: string;
  token: string | null;
  /** Built-in role whose rules the model applies. */
  role: "admin" | "sales_manager" | "sales_rep" | "intern" | "partner" | "none";
  /** Token scope "read" only. */
  readOnly?: boolean;
};

export type Rec = {
  object: ObjectName;
  id: string;
  values: Record<string, unknown>;
  /** field -> the marker string a reader without the right to that value must never see. */
  markers: Record<string, string>;
};

export type World = {
  regionA: string;
  regionB: string;
  teams: { P: string; C: string; G: string; O: string };
  users: Record<"admin" | "manager" | "rep" | "rep_sub" | "rep_other" | "intern" | "partner_a" | "partner_b", string>;
  personas: Persona[];
  records: Rec[];
  byId: Map<string, Rec>;
  product: string;
};

const money = (v: string) => ({ amount: v, currency: "USD" });

/** Seeds the organisation and the records (as the system actor, through records). */
export async function seedWorld(t: TestApp): Promise<World> {
  const sys = t.ctx();
  const records: Rec[] = [];
  const add = async (object: ObjectName, values: Record<string, unknown>, markers: Record<string, string>) => {
    const r = await createRecord(sys, object, values);
    const rec: Rec = { object, id: r.id, values: { ...values, id: r.id }, markers };
    records.push(rec);
    return rec;
  };
  const regionName = (code: string) => ({ name: `Region ${code} ${marker.text()}`, code });
  const ra = regionName("A");
  const rb = regionName("B");
  const regionA = (await add("region", ra, { name: ra.name })).id;
  const regionB = (await add("region", rb, { name: rb.name })).id;
  const team = async (name: string, extra: Record<string, unknown> = {}) => {
    const n = `${name} ${marker.text()}`;
    return (await add("team", { name: n, ...extra }, { name: n })).id;
  };
  const P = await team("Parent", { region: regionA });
  const C = await team("Child", { parent_team: P, region: regionA });
  const G = await team("Grandchild", { parent_team: C, region: regionB });
  const O = await team("Other", { region: regionB });

  // Users: the admin of createTestApp plus one per persona. Emails, phones and titles are markers.
  const userIds: Partial<World["users"]> = { admin: t.admin.id };
  const tokens: Partial<Record<PersonaKey, string>> = { admin: t.admin.token };
  const specs: { key: Exclude<keyof World["users"], "admin">; roles: string[]; team?: string; region: string; partner?: boolean }[] = [
    { key: "manager", roles: ["sales_manager"], team: P, region: regionA },
    { key: "rep", roles: ["sales_rep"], team: C, region: regionA },
    { key: "rep_sub", roles: ["sales_rep"], team: G, region: regionB },
    { key: "rep_other", roles: ["sales_rep"], team: O, region: regionB },
    { key: "intern", roles: ["intern"], team: O, region: regionA },
    { key: "partner_a", roles: ["partner"], region: regionA, partner: true },
    { key: "partner_b", roles: ["partner"], region: regionB, partner: true },
  ];
  for (const s of specs) {
    const email = marker.email();
    const u = await t.createUser({ name: `User ${s.key}`, email: email.value, roles: s.roles, ...(s.team ? { team: s.team } : {}), region: s.region });
    userIds[s.key] = u.id;
    tokens[s.key] = u.token;
  }
  const uid = userIds as World["users"];
  const managerOf: Partial<Record<keyof World["users"], string>> = { rep: uid.manager, rep_sub: uid.rep };
  for (const key of Object.keys(uid) as (keyof World["users"])[]) {
    const phone = marker.phone();
    const title = marker.text();
    const patch: Record<string, unknown> = { phone: phone.value, title };
    if (managerOf[key]) patch.manager = managerOf[key];
    if (key === "partner_a" || key === "partner_b") patch.user_type = "partner";
    const u = await updateRecord(sys, "user", uid[key], patch);
    const markers: Record<string, string> = { phone: phone.marker, title };
    if (typeof u.email === "string" && u.email.startsWith("mark")) markers.email = u.email.split("@")[0]!;
    records.push({ object: "user", id: u.id, values: { ...u }, markers });
  }
  await updateRecord(sys, "team", P, { manager: uid.manager });
  records.find((r) => r.id === P)!.values.manager = uid.manager;
  const readToken = (await createToken(t.db, { userId: uid.rep, name: "read only", createdBy: uid.rep, scopes: ["read"] }, new Date())).token;
  t.built.clearAuthCache();

  const productName = `Product ${marker.text()}`;
  const product = (await add("product", { name: productName, list_price: money("10.00") }, {})).id;

  // Sales records: every owner (and none) in both regions.
  const owners: (string | null)[] = [uid.admin, uid.manager, uid.rep, uid.rep_sub, uid.rep_other, uid.intern, uid.partner_a, null];
  const slots = [...owners.map((o) => ({ owner: o, region: regionA })), ...owners.map((o) => ({ owner: o, region: regionB }))];
  const accounts: Rec[] = [];
  for (const [i, s] of slots.entries()) {
    const name = marker.text();
    const industry = marker.text();
    const phone = marker.phone();
    const rev = marker.amount();
    accounts.push(
      await add(
        "account",
        { name, industry, phone: phone.value, annual_revenue: money(rev.value), owner: s.owner, region: s.region, external_id: `acc-${i}` },
        { name, industry, phone: phone.marker, annual_revenue: rev.marker },
      ),
    );
  }
  for (let i = 0; i < slots.length; i++) {
    const first = marker.text();
    const last = marker.text();
    const name = `${marker.text()} ${marker.text()}`;
    const email = marker.email();
    const phone = marker.phone();
    const title = marker.text();
    const owner = owners[(i + 3) % owners.length]!;
    await add(
      "contact",
      { first_name: first, last_name: last, name, email: email.value, phone: phone.value, title, account: accounts[(i * 5) % 16]!.id, owner },
      { first_name: first, last_name: last, name: name.split(" ")[0]!, name2: name.split(" ")[1]!, email: email.marker, phone: phone.marker, title },
    );
  }
  for (const s of slots) {
    const name = marker.text();
    const company = marker.text();
    const email = marker.email();
    const phone = marker.phone();
    await add("lead", { name, company, email: email.value, phone: phone.value, owner: s.owner, region: s.region }, { name, company, email: email.marker, phone: phone.marker });
  }
  const opps: Rec[] = [];
  for (const [i, s] of slots.entries()) {
    const name = marker.text();
    const nextStep = marker.text();
    const amount = marker.amount();
    opps.push(
      await add(
        "opportunity",
        { name, next_step: nextStep, amount: money(amount.value), account: accounts[(i * 7 + 3) % 16]!.id, owner: s.owner, region: s.region, external_id: `opp-${i}`, stage: i % 2 ? "Won" : "Engaging" },
        { name, next_step: nextStep, amount: amount.marker },
      ),
    );
  }
  for (let i = 0; i < 16; i++) {
    const name = marker.text();
    const price = marker.amount();
    await add(
      "opportunity_line",
      { name, opportunity: opps[(i * 3 + 1) % 16]!.id, product, quantity: "1", unit_price: money(price.value) },
      { name, unit_price: price.marker },
    );
  }

  const personas: Persona[] = [
    { key: "admin", userId: uid.admin, token: tokens.admin!, role: "admin" },
    { key: "manager", userId: uid.manager, token: tokens.manager!, role: "sales_manager" },
    { key: "rep", userId: uid.rep, token: tokens.rep!, role: "sales_rep" },
    { key: "rep_sub", userId: uid.rep_sub, token: tokens.rep_sub!, role: "sales_rep" },
    { key: "rep_other", userId: uid.rep_other, token: tokens.rep_other!, role: "sales_rep" },
    { key: "intern", userId: uid.intern, token: tokens.intern!, role: "intern" },
    { key: "partner_a", userId: uid.partner_a, token: tokens.partner_a!, role: "partner" },
    { key: "partner_b", userId: uid.partner_b, token: tokens.partner_b!, role: "partner" },
    { key: "rep_read_token", userId: uid.rep, token: readToken, role: "sales_rep", readOnly: true },
    { key: "anonymous", token: null, role: "none" },
  ];
  return { regionA, regionB, teams: { P, C, G, O }, users: uid, personas, records, byId: new Map(records.map((r) => [r.id, r])), product };
}

/** Records as the system sees them (deleted ones included), to check what refused writes left alone. */
export async function systemRecords(t: TestApp, object: string, filter?: Record<string, unknown>, fields?: string[]): Promise<RecordData[]> {
  const q = { limit: 1000, deleted: "include" as const, ...(filter ? { filter: filter as never } : {}), ...(fields ? { fields } : {}) };
  return (await listRecords(t.ctx(), object, q)).records;
}

// ---------------------------------------------------------------------------------------------
// The expected model, by hand from the built-in roles (docs/permissions.md)

/** Fields masked for interns / hidden for partners. */
export const INTERN_MASKED: Partial<Record<ObjectName, string[]>> = {
  account: ["name", "phone", "annual_revenue", "external_id"],
  contact: ["name", "first_name", "last_name", "email", "phone"],
  lead: ["name", "company", "email", "phone"],
  opportunity: ["name", "amount"],
  opportunity_line: ["unit_price", "total"],
  user: ["email", "phone", "external_id"],
};
export const PARTNER_HIDDEN: Partial<Record<ObjectName, string[]>> = { account: ["annual_revenue"], user: ["email", "phone", "external_id"] };

export type Model = {
  canRead: (p: Persona, object: ObjectName) => boolean;
  rowVisible: (p: Persona, rec: Rec) => boolean;
  /** "hidden", "masked" or undefined (visible), for an object the persona may read. */
  fieldRule: (p: Persona, object: ObjectName, field: string) => "hidden" | "masked" | undefined;
  can: (p: Persona, object: ObjectName, action: "create" | "update" | "delete" | "export" | "import" | "reveal") => boolean;
  visibleIds: (p: Persona, object: ObjectName) => Set<string>;
  /** Markers the persona may not see anywhere. */
  forbiddenMarkers: (p: Persona) => Set<string>;
};

export function buildModel(w: World): Model {
  const u = w.users;
  const teamOfUser = new Map<string, string | undefined>([
    [u.admin, undefined],
    [u.manager, w.teams.P],
    [u.rep, w.teams.C],
    [u.rep_sub, w.teams.G],
    [u.rep_other, w.teams.O],
    [u.intern, w.teams.O],
    [u.partner_a, undefined],
    [u.partner_b, undefined],
  ]);
  const regionOfUser = new Map<string, string | undefined>([
    [u.admin, undefined],
    [u.manager, w.regionA],
    [u.rep, w.regionA],
    [u.rep_sub, w.regionB],
    [u.rep_other, w.regionB],
    [u.intern, w.regionA],
    [u.partner_a, w.regionA],
    [u.partner_b, w.regionB],
  ]);
  // Team subtrees by hand: P > C > G; O alone.
  const teamSubtree: Record<string, string[]> = { [w.teams.P]: [w.teams.P, w.teams.C, w.teams.G], [w.teams.C]: [w.teams.C, w.teams.G], [w.teams.G]: [w.teams.G], [w.teams.O]: [w.teams.O] };
  // The manager manages P (members of P, C, G below them) and heads the chain rep -> rep_sub.
  const managerSees = new Set([u.manager, u.rep, u.rep_sub]);
  const partnerRegion = (p: Persona) => (p.key === "partner_a" ? w.regionA : w.regionB);

  const canRead = (p: Persona, object: ObjectName) => {
    if (p.role === "none") return false;
    if (p.role === "partner") return object !== "team";
    return true;
  };
  const ownerOf = (rec: Rec): string | null => {
    if (rec.object === "opportunity_line") return (w.byId.get(rec.values.opportunity as string)!.values.owner as string | null) ?? null;
    return (rec.values.owner as string | null) ?? null;
  };
  const regionOf = (rec: Rec): string | undefined => {
    if (rec.object === "contact") return w.byId.get(rec.values.account as string)!.values.region as string;
    if (rec.object === "opportunity_line") return w.byId.get(rec.values.opportunity as string)!.values.region as string;
    return rec.values.region as string | undefined;
  };
  const rowVisible = (p: Persona, rec: Rec) => {
    if (!canRead(p, rec.object)) return false;
    if (p.role === "admin" || p.role === "intern") return true;
    const sales = (SALES as readonly string[]).includes(rec.object);
    if (p.role === "partner") {
      if (rec.object === "product") return true;
      if (rec.object === "region") return rec.id === partnerRegion(p);
      if (rec.object === "user") return rec.id === p.userId || regionOfUser.get(rec.id) === partnerRegion(p);
      return regionOf(rec) === partnerRegion(p);
    }
    if (!sales) return true;
    const owner = ownerOf(rec);
    if (owner === null) return false;
    if (p.role === "sales_manager") return managerSees.has(owner);
    // sales_rep: own, or the owner's team within the rep's team subtree.
    const myTeams = teamSubtree[teamOfUser.get(p.userId!)!] ?? [];
    return owner === p.userId || myTeams.includes(teamOfUser.get(owner) ?? "-");
  };
  const fieldRule = (p: Persona, object: ObjectName, field: string) => {
    if (p.role === "intern" && INTERN_MASKED[object]?.includes(field)) return "masked" as const;
    if (p.role === "partner" && PARTNER_HIDDEN[object]?.includes(field)) return "hidden" as const;
    return undefined;
  };
  const can: Model["can"] = (p, object, action) => {
    if (p.role === "admin") return true;
    if (p.role === "none" || p.role === "intern") return false;
    if (p.readOnly) return false;
    const sales = (SALES as readonly string[]).includes(object);
    if (p.role === "sales_manager") {
      if (object === "opportunity_line") return ["create", "update", "delete", "export"].includes(action);
      return sales || action === "export";
    }
    if (p.role === "sales_rep") return sales && (object === "opportunity_line" ? ["create", "update", "delete"] : ["create", "update", "delete", "export"]).includes(action);
    // partner
    return ["contact", "lead", "opportunity", "opportunity_line"].includes(object) && (action === "create" || action === "update");
  };
  const visibleIds = (p: Persona, object: ObjectName) => new Set(w.records.filter((r) => r.object === object && rowVisible(p, r)).map((r) => r.id));
  const cache = new Map<string, Set<string>>();
  const forbiddenMarkers = (p: Persona) => {
    let set = cache.get(p.key);
    if (set) return set;
    set = new Set<string>();
    for (const r of w.records) {
      const seeRow = rowVisible(p, r);
      for (const [field, m] of Object.entries(r.markers)) {
        const f = field === "name2" ? "name" : field;
        if (!seeRow || fieldRule(p, r.object, f)) set.add(m);
      }
    }
    cache.set(p.key, set);
    return set;
  };
  return { canRead, rowVisible, fieldRule, can, visibleIds, forbiddenMarkers };
}
