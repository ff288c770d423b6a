import { useContext } from 'preact/hooks';
import type { Failure } from '../lib/api.js';
import { href } from '../lib/router.js';
import { can, SessionContext } from '../lib/session.js';

const TITLES: Record<number, string> = {
  0: 'The service could not be reached',
  401: 'Your API key was refused',
  403: 'Your API key may not do this',
  404: 'Not found',
  409: 'Conflict',
  413: 'The upload is too large',
  415: 'Not an image the service accepts',
  429: 'Too many requests',
  503: 'The service is busy or not ready',
};

/**
 * An error from the service, as the envelope gives it: the message in plain words, each failing
 * field, and the request id to quote when asking an operator.
 */
export function ErrorMessage({ failure, title }: { failure: Failure | undefined; title?: string }) {
  const session = useContext(SessionContext);
  if (!failure) return null;
  const heading = title ?? TITLES[failure.status] ?? 'The service refused the request';
  return (
    <div class="notice notice-error" role="alert">
      <p class="notice-title">{heading}</p>
      <p data-testid="error-message">{failure.message}</p>
      {failure.fields && failure.fields.length > 0 && (
        <ul>
          {failure.fields.map((field) => (
            <li key={field.field}>
              <strong>{field.field}</strong>: {field.errors.join('; ')}
            </li>
          ))}
        </ul>
      )}
      {failure.userId && session && can(session.me, 'manage') && (
        <p>
          <a href={href(`/users/${failure.userId}`)}>Open the enrolled user</a>
        </p>
      )}
      <p class="notice-meta">
        {failure.code > 0 && <>Error {failure.code}</>}
        {failure.requestId && <> · request {failure.requestId}</>}
      </p>
    </div>
  );
}
