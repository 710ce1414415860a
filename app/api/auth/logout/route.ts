import { logOut } from "@/lib/auth/login";

/** Ends this session: on the server too, so the cookie no longer works even if replayed. */
export async function POST(request: Request) {
  return logOut(request, { everywhere: false });
}
