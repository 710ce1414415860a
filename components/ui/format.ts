export { formatBytes } from "@/lib/shared/bytes";

/** How long ago `iso` was, in a few characters: "just now", "5 min ago", "2 h ago", "3 d ago". */
export function relativeAge(iso: string, now: number): string {
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (Number.isNaN(s)) return "";
  const future = s < 0;
  const a = Math.abs(s);
  if (a < 45) return future ? "in a moment" : "just now";
  const [n, unit] =
    a < 3600 ? [Math.max(1, Math.round(a / 60)), "min"] : a < 86_400 ? [Math.round(a / 3600), "h"] : a < 60 * 86_400 ? [Math.round(a / 86_400), "d"] : a < 730 * 86_400 ? [Math.round(a / (30 * 86_400)), "mo"] : [Math.round(a / (365 * 86_400)), "y"];
  return future ? `in ${n} ${unit}` : `${n} ${unit} ago`;
}
