import { Sidebar } from "@/components/layout/sidebar";
import { FocusRescue } from "@/components/ui/focus-rescue";
import { ToastSpace } from "@/components/ui/toaster";
import { LiveUpdates } from "@/components/query/live";
import { PrincipalProvider } from "@/components/auth/principal";
import { requirePageSession } from "@/lib/auth/next";

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const principal = await requirePageSession();
  return (
    <PrincipalProvider principal={principal}>
    <div className="flex min-h-screen flex-col lg:flex-row">
      <Sidebar principal={principal} />
      <main className="min-w-0 flex-1 px-3 py-4 sm:p-6 lg:p-8">
        <LiveUpdates>{children}</LiveUpdates>
        <FocusRescue />
        <ToastSpace />
      </main>
    </div>
    </PrincipalProvider>
  );
}
