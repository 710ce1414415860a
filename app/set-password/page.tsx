import type { Metadata } from "next";
import { SetPasswordForm } from "@/components/auth/set-password-form";

// The page-wide Referrer-Policy (same-origin) keeps the link's token from other sites; no-referrer would make the form's Origin "null".
export const metadata: Metadata = { title: "Set your password" };

export default async function SetPasswordPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <SetPasswordForm token={one(params.token) ?? ""} error={one(params.error)} />
    </main>
  );
}
