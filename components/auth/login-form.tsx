const field =
  "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm focus:border-teal-600 focus:outline-none focus:ring-2 focus:ring-teal-600/30";
const submit =
  "w-full rounded-md bg-teal-700 px-3 py-2 text-sm font-medium text-white hover:bg-teal-800 focus:outline-none focus:ring-2 focus:ring-teal-600/40";

/** The login page: a person's name and password, and beside it the owner's access token. */
export function LoginForm({ next, error, notice, sso }: { next: string; error?: string; notice?: string; sso?: { label: string; href: string } }) {
  return (
    <div className="w-full max-w-3xl space-y-4">
      <h1 className="text-lg font-semibold">HakuRiver Docker</h1>
      {error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      )}
      {notice && (
        <p role="status" className="rounded-md bg-teal-50 px-3 py-2 text-sm text-teal-900">
          {notice}
        </p>
      )}
      {sso && (
        // A link, not a form: the provider's pages are another origin (the CSP's form-action is 'self').
        <a href={sso.href} className={`block text-center ${submit}`}>
          {sso.label}
        </a>
      )}
      <div className="grid gap-4 md:grid-cols-2">
        <form method="post" action="/api/auth/login" className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          <h2 className="text-sm font-semibold">Your account</h2>
          <p className="text-sm text-slate-600">Sign in with the name and password an admin set up for you.</p>
          <input type="hidden" name="next" value={next} />
          <label className="block text-sm font-medium">
            Name
            <input name="name" type="text" required autoFocus autoComplete="username" autoCapitalize="none" className={field} />
          </label>
          <label className="block text-sm font-medium">
            Password
            <input name="password" type="password" required autoComplete="current-password" className={field} />
          </label>
          {/* Not "Log in …": scripts find the token form's button by that name (a substring match). */}
          <button type="submit" className={submit}>
            Sign in
          </button>
        </form>
        <form method="post" action="/api/auth/login" className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          <h2 className="text-sm font-semibold">Owner token</h2>
          <p className="text-sm text-slate-600">
            Or enter the access token printed when the dashboard started (or the value of HAKURIVER_AUTH_TOKEN): the owner&apos;s way in.
          </p>
          <input type="hidden" name="next" value={next} />
          <label className="block text-sm font-medium">
            Access token
            <input name="token" type="password" required autoComplete="off" className={`${field} font-mono`} />
          </label>
          <button type="submit" className={submit}>
            Log in
          </button>
        </form>
      </div>
    </div>
  );
}
