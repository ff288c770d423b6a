/**
 * The formats the service decodes, recognised by their first bytes — before any decoder sees the
 * upload. SVG (a renderer that follows references), PDF, HEVC-coded HEIF and everything else never
 * reach libvips, so neither their parsers' bugs nor their error messages are exposed.
 */
export type ImageSignature = 'jpeg' | 'png' | 'gif' | 'webp' | 'tiff' | 'avif';

const ASCII = (bytes: Uint8Array, from: number, to: number) =>
  String.fromCharCode(...bytes.subarray(from, to));

export function imageSignature(bytes: Uint8Array): ImageSignature | undefined {
  if (bytes.length < 12) return undefined;
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (ASCII(bytes, 0, 8) === '\u0089PNG\r\n\u001a\n') return 'png';
  const head6 = ASCII(bytes, 0, 6);
  if (head6 === 'GIF87a' || head6 === 'GIF89a') return 'gif';
  if (ASCII(bytes, 0, 4) === 'RIFF' && ASCII(bytes, 8, 12) === 'WEBP') return 'webp';
  const head4 = ASCII(bytes, 0, 4);
  if (head4 === 'II*\u0000' || head4 === 'MM\u0000*') return 'tiff';
  // ISO base media: a 'ftyp' box whose major or compatible brands include AVIF's.
  if (ASCII(bytes, 4, 8) === 'ftyp') {
    const size = Math.min(bytes.length, (bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!);
    for (let offset = 8; offset + 4 <= size; offset += 4) {
      const brand = ASCII(bytes, offset, offset + 4);
      if (brand === 'avif' || brand === 'avis') return 'avif';
    }
  }
  return undefined;
}
