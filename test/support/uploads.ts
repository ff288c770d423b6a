import { toFormData } from '../../client/index.js';

/** An image for a typed-client upload: the bytes as a File named like an upload from disk. */
export function imageFile(bytes: Uint8Array, name = 'face.jpg', type = 'image/jpeg'): File {
  return new File([bytes], name, { type });
}

/**
 * The options of a multipart call through the typed client: the typed fields as the body, sent
 * as multipart/form-data (the client would send JSON otherwise).
 *
 *   await api.POST('/api/v1/recognise_user', multipart({ image: imageFile(jpeg) }));
 */
export function multipart<T extends object>(body: T): { body: T; bodySerializer: typeof toFormData } {
  return { body, bodySerializer: toFormData };
}
