export function LoginForm({ next, error }: { next: string; error?: string }) {
  return (
    <form
      method="post"
      action="/api/auth/login"
      className="w-full max-w-sm space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm"
    >
      <div>
        <h1 className="text-lg font-semibold">HakuRiver Docker</h1>
        <p className="mt-1 text-sm text-slate-600">
          Enter the access token printed when the dashboard started (or the value of HAKURIVER_AUTH_TOKEN).
        </p>
      </div>
      <input type="hidden" name="next" value={next} />
      <label className="block text-sm font-medium">
        Access token
        <input
          name="token"
          type="password"
          required
          autoFocus
          autoComplete="current-password"
          className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-sm focus:border-teal-600 focus:outline-none focus:ring-2 focus:ring-teal-600/30"
        />
      </label>
      {error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      )}
      <button
        type="submit"
        className="w-full rounded-md bg-teal-700 px-3 py-2 text-sm font-medium text-white hover:bg-teal-800 focus:outline-none focus:ring-2 focus:ring-teal-600/40"
      >
        Log in
      </button>
    </form>
  );
}
