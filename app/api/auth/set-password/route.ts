import { setPassword } from "@/lib/auth/set-password";

/** The set-password form (urlencoded), or JSON `{ token, password, confirm }`. */
export async function POST(request: Request) {
  const json = (request.headers.get("content-type") ?? "").includes("application/json");
  let body: Record<string, unknown> = {};
  try {
    if (json) body = (await request.json()) as Record<string, unknown>;
    else body = Object.fromEntries((await request.formData()).entries());
  } catch {
    body = {};
  }
  return setPassword(request, { token: body.token, password: body.password, confirm: body.confirm ?? (json ? body.password : undefined), json });
}
