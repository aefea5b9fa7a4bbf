/** Gzip with the web-standard CompressionStream (Workers, Bun, Node ≥ 18): no runtime-specific zlib. */
export async function gzip(text: string): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
