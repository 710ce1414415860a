import { startSingleSignOn } from "@/lib/auth/oidc";

/** Single sign-on, step one: to the provider (lib/auth/oidc.ts). */
export async function GET(request: Request) {
  return startSingleSignOn(request);
}
