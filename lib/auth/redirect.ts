/** A same-site path to return to after login; anything else (other hosts, `//x`, `/\x`) becomes /docker. */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\") || next.startsWith("/login")) {
    return "/docker";
  }
  return next.length > 2048 ? "/docker" : next;
}
