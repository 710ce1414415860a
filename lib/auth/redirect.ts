import "server-only";
/**
 * A same-site path to return to after login; anything else becomes /docker. Browsers strip tabs
 * and newlines from URLs and treat `\` like `/`, so `/\t/evil.example` would leave the site:
 * control characters and backslashes are refused outright, then the origin is checked.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || next.length > 2048 || !next.startsWith("/") || /[\u0000-\u001f\u007f\\]/.test(next)) return "/docker";
  let url: URL;
  try {
    url = new URL(next, "http://same.invalid");
  } catch {
    return "/docker";
  }
  if (url.origin !== "http://same.invalid" || url.pathname.startsWith("/login")) return "/docker";
  return `${url.pathname}${url.search}${url.hash}`;
}
