import { logIn } from "@/lib/auth/login";

/** The ready-made login link: /login?token=… lands here, sets the cookie, and leaves the token out of the URL. */
export async function GET(request: Request) {
  const url = new URL(request.url);
  return logIn(request, { token: url.searchParams.get("token"), next: url.searchParams.get("next"), json: false });
}

/** The login form (urlencoded), or JSON `{ "token": "…" }` for scripts. */
export async function POST(request: Request) {
  const type = request.headers.get("content-type") ?? "";
  const json = type.includes("application/json");
  let token: unknown;
  let next: unknown;
  try {
    if (json) ({ token, next } = (await request.json()) as Record<string, unknown>);
    else {
      const form = await request.formData();
      token = form.get("token");
      next = form.get("next");
    }
  } catch {
    token = undefined;
  }
  return logIn(request, {
    token: typeof token === "string" ? token : null,
    next: typeof next === "string" ? next : null,
    json,
  });
}
