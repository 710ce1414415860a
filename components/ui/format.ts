/** 1536 → "1.5 KiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

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
