/** Placeholder until the ipaddr.js-based parser lands: the socket address or the configured header. */
export function clientIp(
  req: Request,
  socket: string | null,
  opts: { header?: string; trustedHops: number },
): string | null {
  const raw = opts.header
    ? req.headers.get(opts.header)?.split(",").map((s) => s.trim()).at(-opts.trustedHops)
    : socket;
  if (!raw) return null;
  return /^[0-9a-fA-F:.]{2,45}$/.test(raw) ? raw : null;
}
