/**
 * The organisation lookups identity needs for an actor's $actor variables (teams, subordinates,
 * partner), read through records as the system actor: identity sits below records, and only records
 * runs SQL on object tables. Called once per credential and second at most (identity's auth cache).
 */
import type { Condition } from "@revline/core";
import type { Ctx } from "./platform/context";
import type { OrgInfo } from "./platform/identity";
import { getRecord, listRecords, type RecordData } from "./platform/records";

const PAGE = 1000;
/** A row condition lists these ids as parameters; beyond this the list is cut (and a warning logged). */
export const MAX_SUBORDINATES = 10_000;

async function listAll(ctx: Ctx, object: string, filter: Condition | undefined, fields: string[], cap = Infinity): Promise<RecordData[]> {
  const out: RecordData[] = [];
  let cursor: string | null = null;
  do {
    const page = await listRecords(ctx, object, { ...(filter ? { filter } : {}), fields, sort: [{ field: "id" }], limit: PAGE, cursor });
    out.push(...page.records);
    cursor = page.nextCursor;
  } while (cursor && out.length < cap);
  return out;
}

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

/** Every id reachable from `start` through `children`, start included. */
function closure(start: Iterable<string>, children: Map<string, string[]>): Set<string> {
  const seen = new Set<string>();
  const stack = [...start];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(children.get(id) ?? []));
  }
  return seen;
}

export function recordsOrgLookup(systemCtx: () => Ctx): { orgOf: (userId: string) => Promise<OrgInfo> } {
  return {
    async orgOf(userId) {
      const ctx = systemCtx();
      let user: RecordData;
      try {
        user = await getRecord(ctx, "user", userId, { fields: ["team", "region", "user_type", "manager"] });
      } catch {
        return { userType: "internal", manager: null, teams: [], subordinates: [], partner: null };
      }
      const userType = user.user_type === "partner" ? "partner" : "internal";
      const allTeams = await listAll(ctx, "team", undefined, ["manager", "parent_team"]);
      const childTeams = new Map<string, string[]>();
      for (const t of allTeams) {
        const parent = str(t.parent_team);
        if (parent) childTeams.set(parent, [...(childTeams.get(parent) ?? []), t.id]);
      }
      const managed = allTeams.filter((t) => t.manager === userId).map((t) => t.id);
      const ownTeam = str(user.team);
      const teams = closure([...(ownTeam ? [ownTeam] : []), ...managed], childTeams);
      const managedSubtree = closure(managed, childTeams);

      // Below them: members of the teams they manage, and everyone under them through user.manager.
      const subordinates = new Set<string>();
      let frontier: string[] = [userId];
      if (managedSubtree.size) {
        const ids = [...managedSubtree];
        for (let i = 0; i < ids.length; i += PAGE) {
          const members = await listAll(ctx, "user", { field: "team", op: "in", value: ids.slice(i, i + PAGE) }, ["id"], MAX_SUBORDINATES);
          for (const m of members)
            if (m.id !== userId && !subordinates.has(m.id)) {
              subordinates.add(m.id);
              frontier.push(m.id);
            }
        }
      }
      while (frontier.length && subordinates.size < MAX_SUBORDINATES) {
        const next: string[] = [];
        for (let i = 0; i < frontier.length; i += PAGE) {
          const reports = await listAll(ctx, "user", { field: "manager", op: "in", value: frontier.slice(i, i + PAGE) }, ["id"], MAX_SUBORDINATES);
          for (const r of reports)
            if (r.id !== userId && !subordinates.has(r.id)) {
              subordinates.add(r.id);
              next.push(r.id);
            }
        }
        frontier = next;
      }
      if (subordinates.size >= MAX_SUBORDINATES) ctx.log.warn({ userId, count: subordinates.size }, `more than ${MAX_SUBORDINATES} subordinates; $actor.subordinates is cut`);
      return {
        userType,
        manager: str(user.manager),
        teams: [...teams].sort(),
        subordinates: [...subordinates].slice(0, MAX_SUBORDINATES).sort(),
        partner: userType === "partner" ? str(user.region) : null,
      };
    },
  };
}
