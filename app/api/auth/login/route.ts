import { logIn, logInPerson } from "@/lib/auth/login";

/** The ready-made login link: /login?token=… lands here, sets the cookie, and leaves the token out of the URL. */
export async function GET(request: Request) {
  const url = new URL(request.url);
  return logIn(request, { token: url.searchParams.get("token"), next: url.searchParams.get("next"), json: false });
}

/**
 * The login forms (urlencoded), or JSON for scripts: `{ "token": "…" }` (the owner token) or
 * `{ "name": "…", "password": "…" }` (a person).
 */
export async function POST(request: Request) {
  const type = request.headers.get("content-type") ?? "";
  const json = type.includes("application/json");
  let token: unknown;
  let next: unknown;
  let name: unknown;
  let password: unknown;
  try {
    if (json) ({ token, next, name, password } = (await request.json()) as Record<string, unknown>);
    else {
      const form = await request.formData();
      token = form.get("token");
      next = form.get("next");
      name = form.get("name");
      password = form.get("password");
    }
  } catch {
    token = undefined;
  }
  const text = (v: unknown) => (typeof v === "string" ? v : null);
  if (name !== undefined && name !== null) {
    return logInPerson(request, { name: text(name), password: text(password), next: text(next), json });
  }
  return logIn(request, {
    token: typeof token === "string" ? token : null,
    next: typeof next === "string" ? next : null,
    json,
  });
}
