import type { NextFunction, Request, Response } from 'express';

/**
 * The dashboard and the admin API: scripts, styles and connections from the stitcher
 * itself only; hls.js plays through MediaSource (blob: media) and may start a blob: worker.
 */
const STRICT_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self' blob:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The OpenAPI page and bull-board are third-party UIs that set inline styles. */
const THIRD_PARTY_UI_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Security headers on every answer but the republished HLS and recordings (players on other sites
 * fetch it): no framing (clickjacking), no MIME sniffing, no Referer leaving the page.
 */
export function securityHeaders(thirdPartyPrefixes: string[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.path.startsWith('/hls/') || req.path.startsWith('/vod/')) return next();
    const thirdParty = thirdPartyPrefixes.some(
      (prefix) => req.path === prefix || req.path.startsWith(`${prefix}/`) || req.path.startsWith(`${prefix}-`),
    );
    res.setHeader('Content-Security-Policy', thirdParty ? THIRD_PARTY_UI_POLICY : STRICT_POLICY);
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  };
}
