export function SharedTarballs() {
  return (
    <section aria-label="Shared Tarballs" className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center">
      <h2 className="text-base font-semibold">Shared Tarballs are not listed yet</h2>
      <p className="mx-auto mt-2 max-w-prose text-sm text-slate-600">
        This dashboard does not read the shared container directory yet. Until it does, look in
        <code className="mx-1 rounded bg-slate-100 px-1">shared_dir/container_dir</code>
        for <code className="rounded bg-slate-100 px-1">&lt;name&gt;-&lt;timestamp&gt;.tar</code> files.
      </p>
    </section>
  );
}
