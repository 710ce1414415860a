import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { LoginForm } from "@/components/auth/login-form";
import { oidcSettings } from "@/lib/auth/oidc";
import { safeNextPath } from "@/lib/auth/redirect";

export const metadata: Metadata = { title: "Log in" };

const messages: Record<string, string> = {
  invalid: "That token is not right. Use the one printed when the dashboard started, or HAKURIVER_AUTH_TOKEN.",
  rate: "Too many failed attempts from this address. Wait a few minutes and try again.",
  missing: "Enter the access token.",
  person: "That name and password do not match.",
  "sso-state": "That single sign-on was not started in this browser, or took longer than 10 minutes. Sign in again.",
  "sso-check": "The single sign-on provider's answer failed the checks (state, nonce or signature). Sign in again; if it keeps failing, tell an admin.",
  "sso-provider": "The single sign-on provider could not be reached or refused the request. Try again, or use your name and password.",
  "sso-denied": "Single sign-on was cancelled at the provider.",
  "sso-role": "Your single sign-on account is not in a group this dashboard admits. Ask an admin to add you.",
  "sso-name": "Your single sign-on name is taken by another account on this dashboard, or unusable. Ask an admin.",
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const next = safeNextPath(one(params.next));
  const token = one(params.token);
  // A ready-made login link: exchange the token for a cookie and drop it from the address bar.
  if (token) redirect(`/api/auth/login?token=${encodeURIComponent(token)}&next=${encodeURIComponent(next)}`);
  const error = one(params.error);
  const sso = oidcSettings();
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <LoginForm
        next={next}
        error={error ? (messages[error] ?? messages.invalid) : undefined}
        notice={one(params.set) ? "Your password is set. Sign in with your name and it." : undefined}
        sso={sso && { label: sso.label, href: `/api/auth/oidc/start?next=${encodeURIComponent(next)}` }}
      />
    </main>
  );
}
