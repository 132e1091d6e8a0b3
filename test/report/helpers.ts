/** The PNG signature and the IHDR size of a PNG buffer. */
export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function pngSize(png: Buffer): { width: number; height: number } {
  // After the 8-byte signature: chunk length (4), type "IHDR" (4), then width and height (big-endian u32).
  if (png.toString('latin1', 12, 16) !== 'IHDR') throw new Error('no IHDR chunk first');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** The width/height attributes of the root <svg> element. */
export function svgSize(svg: string): { width: number; height: number } {
  const m = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  if (!m) throw new Error('no width/height on <svg>');
  return { width: Number(m[1]), height: Number(m[2]) };
}
