import { clearedSessionCookie } from "@/lib/auth/session";
import { isSecureRequest } from "@/lib/auth/login";

export async function POST(request: Request) {
  return new Response(null, {
    status: 303,
    headers: { Location: "/login", "Set-Cookie": clearedSessionCookie({ secure: isSecureRequest(request) }), "Cache-Control": "no-store" },
  });
}
