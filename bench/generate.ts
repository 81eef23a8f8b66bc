/**
 * A deterministic CRM data set: regions, 35 owners, 85 accounts and any number of opportunities with
 * the shapes of a real pipeline (mostly closed deals, log-normal amounts, close dates over three
 * years). The same seed gives the same rows, so the cached database and the CSV always agree.
 * Bump GENERATOR_VERSION whenever the output changes: it keys the cache in bench/.cache.
 */
export const GENERATOR_VERSION = "g1";

/** mulberry32: tiny, fast, and good enough for test data. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A UUIDv7-shaped id from a timestamp and the generator's randomness (reproducible, unlike uuid's v7()). */
export function idV7(ms: number, random: () => number): string {
  const hex = (n: number, width: number) => Math.floor(n).toString(16).padStart(width, "0");
  const time = hex(ms, 12);
  const r = () => hex(random() * 0x10000, 4);
  const variant = hex(0x8000 | Math.floor(random() * 0x4000), 4);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${r().slice(1)}-${variant}-${r()}${r()}${r()}`;
}

const FIRST = ["Anna", "Boris", "Chen", "Diana", "Emeka", "Fatima", "Gustav", "Hana", "Ivan", "Julia", "Kenji", "Lucia", "Marco", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tomoko", "Umar", "Vera", "Wei", "Ximena", "Yusuf", "Zara", "Liang", "Mei", "Pedro", "Sofia", "Arjun", "Elena", "Hugo", "Ingrid", "Jonas"];
const LAST = ["Novak", "Petrov", "Wang", "Silva", "Okafor", "Haddad", "Berg", "Sato", "Ivanov", "Costa", "Tanaka", "Moretti", "Rossi", "Karimi", "Farouk", "Sharma", "Walsh", "Garcia", "Larsen", "Ito", "Aziz", "Kovacs", "Zhang", "Lopez", "Demir", "Ahmed", "Li", "Chen", "Alves", "Romano", "Patel", "Popescu", "Dubois", "Nilsen", "Weber"];
const WORD_A = ["Acme", "Blue", "Cedar", "Delta", "Ember", "Falcon", "Granite", "Harbor", "Iris", "Juniper", "Kite", "Lumen", "Maple", "Nova", "Orbit", "Pioneer", "Quartz"];
const WORD_B = ["Holdings", "Systems", "Logistics", "Foods", "Energy"];
const INDUSTRY = ["retail", "technology", "medical", "finance", "software", "marketing", "telecommunications", "entertainment", "services", "employment"];
const PRODUCTS = ["GTX Basic", "GTX Pro", "MG Special", "MG Advanced", "GTX Plus Pro", "GTX Plus Basic", "GTK 500"];
const NEXT_STEPS = ["Send proposal", "Schedule demo", "Call procurement", "Follow up on pricing", "Security review", null, null, null];
export const REGIONS = [
  { name: "Central", code: "C" },
  { name: "East", code: "E" },
  { name: "West", code: "W" },
  { name: "North", code: "N" },
  { name: "South", code: "S" },
];

/** Stages with the proportions of a mature pipeline (the demo data set has the same four). */
const STAGES: [string, number][] = [
  ["Won", 0.48],
  ["Lost", 0.29],
  ["Engaging", 0.17],
  ["Prospecting", 0.06],
];
const PROBABILITY: Record<string, number> = { Won: 100, Lost: 0, Engaging: 40, Prospecting: 10 };
const SALES_MODES: [string, number][] = [
  ["direct", 0.6],
  ["channel", 0.3],
  ["online", 0.1],
];

export const DAY_MS = 86_400_000;
/** Close dates fall in 2023-01-01 .. 2025-12-31. Records were created from a month before. */
export const FIRST_CLOSE_MS = Date.UTC(2023, 0, 1);
const SPAN_DAYS = 1095;
const CREATED_FROM_MS = Date.UTC(2022, 11, 1);
const SEED = 20_240_105;

export type Region = { id: string; name: string; code: string };
export type Owner = { id: string; name: string; email: string; region: Region };
export type Account = { id: string; name: string; industry: string; owner: Owner; region: Region };
export type World = { regions: Region[]; owners: Owner[]; accounts: Account[] };

/** An opportunity in API value form, plus the resolved ids the storage form needs. */
export type Opportunity = {
  id: string;
  createdAt: string;
  externalId: string;
  name: string;
  account: Account;
  owner: Owner;
  stage: string;
  /** Whole cents (USD has scale 2), or null for an unpriced early deal. */
  amountCents: number | null;
  closeDate: string;
  engageDate: string;
  probability: number;
  salesMode: string;
  nextStep: string | null;
};

function pick<T>(items: [T, number][], r: number): T {
  let acc = 0;
  for (const [item, p] of items) {
    acc += p;
    if (r < acc) return item;
  }
  return items[items.length - 1]![0];
}

/** A skewed index in [0, n): a few owners and accounts carry much of the pipeline, as in real teams. */
function skewed(n: number, r: number): number {
  return Math.min(n - 1, Math.floor(n * r * r));
}

export const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function createWorld(): World {
  const random = createRandom(SEED);
  const t0 = Date.UTC(2022, 0, 1);
  const regions = REGIONS.map((r, i) => ({ id: idV7(t0 + i, random), ...r }));
  const owners = FIRST.map((first, i) => {
    const last = LAST[(i * 7) % LAST.length]!;
    return { id: idV7(t0 + 100 + i, random), name: `${first} ${last}`, email: `${first}.${last}@example.com`.toLowerCase(), region: regions[i % regions.length]! };
  });
  const accounts: Account[] = [];
  for (let i = 0; i < 85; i++) {
    const owner = owners[(i * 13) % owners.length]!;
    const name = `${WORD_A[i % WORD_A.length]} ${WORD_B[Math.floor(i / WORD_A.length) % WORD_B.length]}`;
    accounts.push({ id: idV7(t0 + 1000 + i, random), name, industry: INDUSTRY[i % INDUSTRY.length]!, owner, region: owner.region });
  }
  return { regions, owners, accounts };
}

/** Streams `count` opportunities; the i-th row is always the same for a given seed. */
export function* generateOpportunities(world: World, count: number): Generator<Opportunity> {
  const random = createRandom(SEED + 1);
  // Creation times spread evenly over the three years, so UUIDv7 ids keep their time order.
  const step = (SPAN_DAYS * DAY_MS) / Math.max(1, count);
  for (let i = 0; i < count; i++) {
    const createdMs = Math.floor(CREATED_FROM_MS + i * step);
    const id = idV7(createdMs, random);
    const stage = pick(STAGES, random());
    const account = world.accounts[skewed(world.accounts.length, random())]!;
    const owner = random() < 0.8 ? account.owner : world.owners[skewed(world.owners.length, random())]!;
    // Log-normal around $4,000 (Box-Muller), clamped to $100 .. $1.5M.
    const u1 = Math.max(random(), 1e-12);
    const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * random());
    const dollars = Math.min(1_500_000, Math.max(100, Math.exp(Math.log(4000) + 1.1 * normal)));
    const amountCents = stage === "Prospecting" && random() < 0.5 ? null : Math.round(dollars) * 100;
    // Slight growth: later months get more deals.
    const closeDay = Math.floor(SPAN_DAYS * Math.sqrt(random()));
    const closeMs = FIRST_CLOSE_MS + closeDay * DAY_MS;
    const engageMs = closeMs - Math.floor(random() * 120) * DAY_MS;
    const product = PRODUCTS[Math.floor(random() * PRODUCTS.length)]!;
    yield {
      id,
      createdAt: new Date(createdMs).toISOString(),
      externalId: `OPP-${String(i + 1).padStart(7, "0")}`,
      name: `${account.name} ${product} ${String(i + 1).padStart(7, "0")}`,
      account,
      owner,
      stage,
      amountCents,
      closeDate: isoDate(closeMs),
      engageDate: isoDate(engageMs),
      probability: PROBABILITY[stage]!,
      salesMode: pick(SALES_MODES, random()),
      nextStep: NEXT_STEPS[Math.floor(random() * NEXT_STEPS.length)]!,
    };
  }
}

export const CSV_COLUMNS = ["external_id", "name", "account", "stage", "amount", "close_date", "engage_date", "probability", "sales_mode", "owner", "region", "next_step"];

function csvCell(value: string | number | null): string {
  if (value === null) return "";
  const s = String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line in the form a user exports from a spreadsheet: relations by name, amounts in dollars. */
export function csvLine(o: Opportunity): string {
  const amount = o.amountCents === null ? null : (o.amountCents / 100).toFixed(2);
  return [o.externalId, o.name, o.account.name, o.stage, amount, o.closeDate, o.engageDate, o.probability, o.salesMode, o.owner.name, o.owner.region.name, o.nextStep]
    .map(csvCell)
    .join(",");
}

/** Storage columns of obj_opportunity (packages/core/src/metadata/storage.ts) and a row's values for them. */
export const OPPORTUNITY_COLUMNS = [
  "id", "created_at", "created_by", "updated_at", "updated_by", "version", "deleted_at",
  "name", "account_id", "stage", "amount", "amount_currency", "close_date", "engage_date", "probability",
  "sales_mode", "owner_id", "region_id", "next_step", "description", "external_id",
] as const;

export function opportunityStorageRow(o: Opportunity, actorId: string): unknown[] {
  return [
    o.id, o.createdAt, actorId, o.createdAt, actorId, 1, null,
    o.name, o.account.id, o.stage, o.amountCents, o.amountCents === null ? null : "USD", o.closeDate, o.engageDate,
    // percent, scale 2: 40 % is stored as 4000.
    o.probability * 100,
    o.salesMode, o.owner.id, o.owner.region.id, o.nextStep, null, o.externalId,
  ];
}
