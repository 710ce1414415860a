import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { LoginForm } from "@/components/auth/login-form";
import { safeNextPath } from "@/lib/auth/redirect";

export const metadata: Metadata = { title: "Log in" };

const messages: Record<string, string> = {
  invalid: "That token is not right. Use the one printed when the dashboard started, or HAKURIVER_AUTH_TOKEN.",
  rate: "Too many failed attempts from this address. Wait a few minutes and try again.",
  missing: "Enter the access token.",
  person: "That name and password do not match.",
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const next = safeNextPath(one(params.next));
  const token = one(params.token);
  // A ready-made login link: exchange the token for a cookie and drop it from the address bar.
  if (token) redirect(`/api/auth/login?token=${encodeURIComponent(token)}&next=${encodeURIComponent(next)}`);
  const error = one(params.error);
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <LoginForm
        next={next}
        error={error ? (messages[error] ?? messages.invalid) : undefined}
        notice={one(params.set) ? "Your password is set. Sign in with your name and it." : undefined}
      />
    </main>
  );
}
