import { useQuery } from "@tanstack/react-query";
import { fetchMe } from "../api/records";

export const ME_KEY = ["auth", "me"] as const;

export function useMe() {
  return useQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: 10 * 60_000, retry: false });
}
