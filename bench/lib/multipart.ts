import { randomBytes } from 'node:crypto';

export type MultipartField =
  { name: string; value: string } | { name: string; file: Uint8Array; filename: string; contentType: string };

export interface MultipartBody {
  body: Buffer;
  /** The Content-Type header value, boundary included. */
  contentType: string;
}

/**
 * A `multipart/form-data` body (RFC 7578) built as one Buffer, for load generators that send
 * raw bytes (autocannon) rather than a FormData object. The boundary is random, so it cannot
 * occur inside a JPEG by accident in any practical sense.
 */
export function multipartBody(fields: readonly MultipartField[]): MultipartBody {
  const boundary = `----bench${randomBytes(12).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const field of fields) {
    if ('file' in field) {
      parts.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${field.name}"; filename="${field.filename}"\r\n` +
            `Content-Type: ${field.contentType}\r\n\r\n`,
        ),
        Buffer.from(field.file.buffer, field.file.byteOffset, field.file.byteLength),
        Buffer.from('\r\n'),
      );
    } else {
      parts.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${field.name}"\r\n\r\n${field.value}\r\n`,
        ),
      );
    }
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A body holding one JPEG under the field name `image`. */
export function imageBody(jpeg: Uint8Array, filename = 'probe.jpg'): MultipartBody {
  return multipartBody([{ name: 'image', file: jpeg, filename, contentType: 'image/jpeg' }]);
}
