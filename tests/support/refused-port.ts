/**
 * A port where connections are refused. A port borrowed from the OS and closed again can be
 * handed straight to the next server a test starts (one workerd took it once, so "the upstream
 * is down" was answered by a live gateway). Port 1 (tcpmux) is privileged and never served on
 * a test machine, so nothing the suite starts can take it.
 */
export const REFUSED_PORT = 1;
export const refusedUrl = (scheme = "http"): string => `${scheme}://127.0.0.1:${REFUSED_PORT}`;
