import { useCallback, useEffect, useState } from 'preact/hooks';
import { BarChart, VectorChart } from '../components/charts.js';
import { ErrorMessage } from '../components/error-message.js';
import { call, type Failure, failureOf, type Schemas } from '../lib/api.js';
import { count } from '../lib/format.js';
import { useTitle } from '../lib/hooks.js';
import { useSession } from '../lib/session.js';

const REFRESH_MS = 15_000;

/** Gallery size, cache, recognitions served and the mean embedding; refreshed while open. */
export function Stats() {
  useTitle('Statistics');
  const session = useSession();
  const [stats, setStats] = useState<Schemas['StatsDto']>();
  const [failure, setFailure] = useState<Failure>();
  const [loadedAt, setLoadedAt] = useState<Date>();

  const load = useCallback(() => {
    call(session.api.GET('/api/v1/stats'))
      .then((fresh) => (setStats(fresh), setFailure(undefined), setLoadedAt(new Date())))
      .catch((error: unknown) => setFailure(failureOf(error)));
  }, [session.api]);

  useEffect(() => {
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  return (
    <>
      <h1 tabIndex={-1}>Statistics</h1>
      <p class="actions">
        <button type="button" class="secondary" onClick={load}>
          Refresh
        </button>
        {loadedAt && <span class="hint">Updated {loadedAt.toLocaleTimeString()}; refreshes every 15 s.</span>}
      </p>
      <ErrorMessage failure={failure} />
      {stats && (
        <>
          <dl class="tiles" data-testid="stats-tiles">
            <Tile label="Users" value={count(stats.users)} />
            <Tile label="Faces" value={count(stats.faces)} />
            <Tile
              label="Faces per user"
              value={stats.users > 0 ? (stats.faces / stats.users).toFixed(2) : '—'}
            />
            <Tile label="Unmatched faces held" value={count(stats.cached_faces)} />
            <Tile label="Recognitions served" value={count(stats.recognitions)} />
            <Tile label="Vector length" value={String(stats.dimension)} />
          </dl>
          <div class="card">
            <BarChart
              title="Gallery and activity"
              items={[
                { label: 'Users', value: stats.users },
                { label: 'Faces', value: stats.faces },
                { label: 'Unmatched held', value: stats.cached_faces },
                { label: 'Recognitions', value: stats.recognitions },
              ]}
            />
          </div>
          <div class="card">
            {stats.mean_embedding ? (
              <VectorChart title={`Mean embedding (${stats.model})`} values={stats.mean_embedding} />
            ) : (
              <p>No faces are enrolled with {stats.model} yet, so there is no mean embedding.</p>
            )}
          </div>
        </>
      )}
    </>
  );
}

function Tile({ label, value }: { label: string; value: string }) {
  return (
    <div class="tile">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}
