import { MIN_PASSWORD_LENGTH } from "@/lib/shared/roles";

const input =
  "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm focus:border-teal-600 focus:outline-none focus:ring-2 focus:ring-teal-600/30";

/** The page a one-time set-password link opens. */
export function SetPasswordForm({ token, error }: { token: string; error?: string }) {
  return (
    <form method="post" action="/api/auth/set-password" className="w-full max-w-sm space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <div>
        <h1 className="text-lg font-semibold">Set your password</h1>
        <p className="mt-1 text-sm text-slate-600">This link works once. Choose a password of at least {MIN_PASSWORD_LENGTH} characters.</p>
      </div>
      <input type="hidden" name="token" value={token} />
      <label className="block text-sm font-medium">
        New password
        <input name="password" type="password" required minLength={MIN_PASSWORD_LENGTH} autoComplete="new-password" autoFocus className={input} />
      </label>
      <label className="block text-sm font-medium">
        Repeat it
        <input name="confirm" type="password" required minLength={MIN_PASSWORD_LENGTH} autoComplete="new-password" className={input} />
      </label>
      {error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      )}
      <button type="submit" className="w-full rounded-md bg-teal-700 px-3 py-2 text-sm font-medium text-white hover:bg-teal-800">
        Set password
      </button>
    </form>
  );
}
