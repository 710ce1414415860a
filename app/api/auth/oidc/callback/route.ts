import { finishSingleSignOn } from "@/lib/auth/oidc";

/** Single sign-on, step two: the provider sends the browser back here (lib/auth/oidc.ts). */
export async function GET(request: Request) {
  return finishSingleSignOn(request);
}
