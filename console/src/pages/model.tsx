import { useTitle } from '../lib/hooks.js';
import { type Models, useSession } from '../lib/session.js';

type Profile = Models['active'];

/** The model profile the service runs, its licence terms and its decision thresholds. */
export function Model() {
  useTitle('Model');
  const { models } = useSession();
  const { active, serving, rule, enrolment_gate: gate } = models;
  return (
    <>
      <h1 tabIndex={-1}>Model</h1>
      <LicenceNotice profile={active} />
      {models.move_pending && (
        <p class="notice notice-warn">
          The gallery is still served by <strong>{serving.name}</strong> until it is re-embedded into{' '}
          <strong>{active.name}</strong>.
        </p>
      )}
      <section class="card" aria-labelledby="profile-title">
        <h2 id="profile-title">Profile {active.name}</h2>
        <p>{active.description}</p>
        <dl class="facts">
          <dt>Detector</dt>
          <dd>{active.detector}</dd>
          <dt>Embedding</dt>
          <dd>
            {active.dimension} dimensions, {active.chip_size} px aligned face
            {active.flip ? ', mirrored too' : ''}
          </dd>
          <dt>Vector space</dt>
          <dd>
            <code>{active.embedding_space}</code>
          </dd>
          <dt>Installed profiles</dt>
          <dd>{models.available.join(', ')}</dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="rule-title">
        <h2 id="rule-title">Decisions in force</h2>
        <dl class="facts">
          <dt>Recognise and identify</dt>
          <dd>
            distance up to {rule.threshold}, and {rule.margin} closer than the runner-up
          </dd>
          <dt>Verify</dt>
          <dd>distance up to {rule.verify_threshold}</dd>
          <dt>Enrolment duplicate check</dt>
          <dd>{rule.enrolment_threshold > 0 ? `distance up to ${rule.enrolment_threshold}` : 'off'}</dd>
          <dt>Enrolment quality gate</dt>
          <dd>
            face at least {gate.min_face_size} px, turned at most {gate.max_yaw}°
            {gate.min_sharpness > 0 ? `, sharpness at least ${gate.min_sharpness}` : ''}
          </dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="sources-title">
        <h2 id="sources-title">Where the weights come from</h2>
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Package</th>
                <th scope="col">Version</th>
                <th scope="col">Licence</th>
              </tr>
            </thead>
            <tbody>
              {active.sources.map((source) => (
                <tr key={source.package}>
                  <td>{source.package}</td>
                  <td>{source.version}</td>
                  <td>{source.licence}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

/** The licence terms of the weights: they decide whether the service may be used commercially. */
export function LicenceNotice({ profile }: { profile: Profile }) {
  const { licence } = profile;
  return (
    <div class={`notice ${licence.commercial_use ? '' : 'notice-warn'}`} data-testid="licence-notice">
      <p class="notice-title">
        {licence.commercial_use ? 'Commercial use allowed' : 'Non-commercial use only'} ({profile.name})
      </p>
      <p>{licence.summary}</p>
      {licence.notes && <p>{licence.notes}</p>}
    </div>
  );
}
