/** On a Shared Tarballs row: this environment has a Host container (where its next version is made). */
export function HostContainerMark({ env }: { env: string }) {
  return (
    <span
      data-testid="host-container-mark"
      title={`${env} has a Host container: customise it there and use Create Tar for a new version`}
      className="ml-2 inline-block rounded bg-teal-50 px-1.5 py-0.5 align-middle font-sans text-[11px] font-medium text-teal-800 ring-1 ring-inset ring-teal-600/20"
    >
      Host container
    </span>
  );
}
