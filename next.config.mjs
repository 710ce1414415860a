/** @type {import('next').NextConfig} */
const nextConfig = {
  // dockerode pulls in ssh2, whose optional native module cannot be bundled.
  serverExternalPackages: ["dockerode", "docker-modem", "ssh2"],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
