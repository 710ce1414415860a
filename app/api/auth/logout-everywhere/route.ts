import { logOut } from "@/lib/auth/login";

/** Ends every session (every browser logged in with the token); the bearer token keeps working. */
export async function POST(request: Request) {
  return logOut(request, { everywhere: true });
}
