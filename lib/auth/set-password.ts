import "server-only";
import { audit } from "@/lib/audit";
import { AppError, errorBody, toAppError } from "@/lib/shared/errors";
import { hashPassword, passwordProblem } from "./passwords";
import { peopleStore } from "./people";
import { loginLimiter } from "./rate-limit";

/**
 * Sets a person's password through their one-time link (`npm run users -- add`, or the People
 * page). The link works once and expires; wrong links count as failed logins for the limiter.
 * Neither the link nor the password is ever logged.
 */
export async function setPassword(request: Request, input: { token: unknown; password: unknown; confirm: unknown; json: boolean }): Promise<Response> {
  const address = request.headers.get("x-hakuriver-client-ip") ?? "unknown";
  const token = typeof input.token === "string" ? input.token : "";
  const answer = (err?: AppError) => {
    if (input.json) return err ? Response.json(errorBody(err), { status: err.status }) : Response.json({ ok: true });
    const location = err ? `/set-password?token=${encodeURIComponent(token)}&error=${encodeURIComponent(err.message)}` : "/login?set=1";
    return new Response(null, { status: 303, headers: { Location: location, "Cache-Control": "no-store" } });
  };
  try {
    const name = peopleStore().linkPerson(token);
    if (!name) {
      loginLimiter.fail(address);
      throw new AppError("not_found:link", "This set-password link is not valid (used already, expired, or replaced). Ask an admin for a new one.");
    }
    const problem = passwordProblem(input.password) ?? (input.password !== input.confirm ? "The two passwords differ." : undefined);
    if (problem) throw new AppError("bad_request:input", problem);
    peopleStore().usePasswordLink(token, await hashPassword(input.password as string));
    audit({ session: "anonymous", person: name, action: "person.password.set", target: name, result: "ok" });
    return answer();
  } catch (err) {
    return answer(toAppError(err));
  }
}
