import { useEffect, useId, useState } from 'preact/hooks';
import { ErrorMessage } from '../components/error-message.js';
import { call, type Failure, failureOf, type Schemas } from '../lib/api.js';
import { dateTime } from '../lib/format.js';
import { useTitle } from '../lib/hooks.js';
import { href } from '../lib/router.js';
import { useSession } from '../lib/session.js';

type Field = 'name' | 'email';
interface Query {
  field: Field;
  text: string;
  page: number;
  limit: number;
}

const SIZES = [10, 20, 50, 100];

/** The query lives in the URL, so Back, reload and a shared link all return to the same list. */
function readQuery(): Query {
  const params = new URLSearchParams(location.search);
  const field: Field = params.has('email') ? 'email' : 'name';
  const limit = Number(params.get('limit'));
  return {
    field,
    text: params.get(field) ?? '',
    page: Math.max(1, Number(params.get('page')) || 1),
    limit: SIZES.includes(limit) ? limit : 20,
  };
}

function writeQuery(query: Query): void {
  const params = new URLSearchParams();
  if (query.text) params.set(query.field, query.text);
  if (query.page > 1) params.set('page', String(query.page));
  if (query.limit !== 20) params.set('limit', String(query.limit));
  const search = params.toString();
  history.replaceState(null, '', `${location.pathname}${search ? `?${search}` : ''}`);
}

/** Users: search by name or e-mail, page through, open one. */
export function Users() {
  useTitle('Users');
  const session = useSession();
  const id = useId();
  const [query, setQuery] = useState(readQuery);
  const [draft, setDraft] = useState({ field: query.field, text: query.text });
  const [list, setList] = useState<Schemas['UserListDto']>();
  const [failure, setFailure] = useState<Failure>();

  useEffect(() => {
    writeQuery(query);
    let stale = false;
    const filter = query.text ? { [query.field]: query.text } : {};
    call(
      session.api.GET('/api/v1/users', {
        params: { query: { page: query.page, limit: query.limit, ...filter } },
      }),
    )
      .then((page) => !stale && (setList(page), setFailure(undefined)))
      .catch((error: unknown) => !stale && setFailure(failureOf(error)));
    return () => {
      stale = true;
    };
  }, [query, session.api]);

  const pages = list ? Math.max(1, Math.ceil(list.total / list.limit)) : 1;
  return (
    <>
      <h1 tabIndex={-1}>Users</h1>
      <form
        class="card search"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setQuery({ ...query, ...draft, text: draft.text.trim(), page: 1 });
        }}
      >
        <div class="field">
          <label for={`${id}-field`}>Search in</label>
          <select
            id={`${id}-field`}
            value={draft.field}
            onChange={(event) => setDraft({ ...draft, field: event.currentTarget.value as Field })}
          >
            <option value="name">Name</option>
            <option value="email">E-mail</option>
          </select>
        </div>
        <div class="field grow">
          <label for={`${id}-text`}>Contains</label>
          <input
            id={`${id}-text`}
            type="search"
            value={draft.text}
            onInput={(event) => setDraft({ ...draft, text: event.currentTarget.value })}
          />
        </div>
        <div class="actions">
          <button type="submit">Search</button>
        </div>
      </form>
      <ErrorMessage failure={failure} />
      {list && (
        <section aria-label="Results">
          <p role="status" class="hint">
            {list.total === 0
              ? query.text
                ? 'Nobody matches this search.'
                : 'Nobody is enrolled yet.'
              : `${list.total} ${list.total === 1 ? 'user' : 'users'}; page ${list.page} of ${pages}`}
          </p>
          {list.items.length > 0 && (
            <div class="table-scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">E-mail</th>
                    <th scope="col">Birthdate</th>
                    <th scope="col">Faces</th>
                    <th scope="col">Enrolled</th>
                  </tr>
                </thead>
                <tbody>
                  {list.items.map((user) => (
                    <tr key={user.id}>
                      <td>
                        <a href={href(`/users/${user.id}`)}>{user.name}</a>
                      </td>
                      <td>{user.email ?? '—'}</td>
                      <td>{user.birthdate}</td>
                      <td>{user.face_count}</td>
                      <td>{dateTime(user.created_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <nav class="pager" aria-label="Pages">
            <button
              type="button"
              class="secondary"
              disabled={query.page <= 1}
              onClick={() => setQuery({ ...query, page: query.page - 1 })}
            >
              Previous page
            </button>
            <span>
              Page {list.page} of {pages}
            </span>
            <button
              type="button"
              class="secondary"
              disabled={query.page >= pages}
              onClick={() => setQuery({ ...query, page: query.page + 1 })}
            >
              Next page
            </button>
            <label>
              Per page{' '}
              <select
                value={query.limit}
                onChange={(event) =>
                  setQuery({ ...query, limit: Number(event.currentTarget.value), page: 1 })
                }
              >
                {SIZES.map((size) => (
                  <option key={size} value={size}>
                    {size}
                  </option>
                ))}
              </select>
            </label>
          </nav>
        </section>
      )}
    </>
  );
}
