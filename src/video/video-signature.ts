/**
 * The containers accepted, recognised from the first bytes before ffmpeg sees the file, and the
 * ffmpeg demuxer each is then forced to. Forcing the demuxer matters: left to probe, ffmpeg also
 * opens playlists and image sequences that can make it read other files.
 */
export type VideoContainer = 'mov' | 'matroska';

const ASCII = (bytes: Uint8Array, from: number, to: number) =>
  String.fromCharCode(...bytes.subarray(from, to));

/** ISO base media boxes a MP4/MOV file may start with. */
const MOV_BOXES = new Set(['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

export function videoSignature(bytes: Uint8Array): VideoContainer | undefined {
  if (bytes.length < 12) return undefined;
  // EBML header: Matroska and WebM.
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) return 'matroska';
  const box = ASCII(bytes, 4, 8);
  if (!MOV_BOXES.has(box)) return undefined;
  // AVIF and HEIF stills are ISO media files too; they are images, not videos.
  if (box === 'ftyp' && /^(avif|avis|heic|heix|mif1|msf1)$/.test(ASCII(bytes, 8, 12))) return undefined;
  return 'mov';
}
